#!/usr/bin/env python3
"""Writes a year of heavy Claude Code use as transcripts, for bench/reports-bench.sh.

Usage: reports-corpus.py PROJECTS_DIR [sessions=5000] [requests per session=100] [seed=1]
Sessions over 365 days (ending 2026-11-30), 8 projects, 5 branches, 3 models; about a quarter of the replies are
streamed over two lines with the same usage (ccusage keeps a reply's first line, the ledger its last). Prints what
it wrote, and the true token totals.
"""
import os
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone

root = sys.argv[1]
sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
per_session = int(sys.argv[3]) if len(sys.argv) > 3 else 100
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)

PROJECTS = ["/home/user/proj", "/home/user/work/api-gateway", "/home/user/work/billing",
            "/home/user/src/claude-token-metrics", "/srv/data/pipeline", "/home/user/notes",
            "/home/user/work/mobile-app", "/home/user/zoë/app"]
BRANCHES = ["main", "feature/ledger", "fix/streaming", "release/2.1", "feature/reports"]
MODELS = ["claude-sonnet-4-20250514", "claude-opus-4-1-20250805", "claude-3-5-haiku-20241022"]
END = datetime(2026, 12, 1, tzinfo=timezone.utc)
START = END - timedelta(days=365)

LINE = ('{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"%s","sessionId":"%s",'
        '"version":"2.1.331","gitBranch":"%s","message":{"id":"%s","type":"message","role":"assistant",'
        '"model":"%s","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,'
        '"usage":{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,'
        '"output_tokens":%d,"service_tier":"standard"}},"requestId":"%s","type":"assistant","uuid":"%s",'
        '"timestamp":"%s"}\n')

requests = lines = 0
truth = [0, 0, 0, 0]
for s in range(sessions):
    cwd = PROJECTS[s % len(PROJECTS)]
    branch = rng.choice(BRANCHES)
    session = str(uuid.UUID(int=rng.getrandbits(128)))
    directory = os.path.join(root, cwd.replace("/", "-"))
    os.makedirs(directory, exist_ok=True)
    at = START + timedelta(seconds=rng.randrange(365 * 86400 - per_session * 400))
    main_model = MODELS[0] if rng.random() < 0.6 else MODELS[1]
    with open(os.path.join(directory, session + ".jsonl"), "w", encoding="utf-8") as out:
        for r in range(per_session):
            at += timedelta(seconds=5 + rng.randrange(300))
            model = MODELS[2] if rng.random() < 0.2 else main_model
            message = "msg_%016x" % rng.getrandbits(64)
            request = "req_%016x" % rng.getrandbits(64)
            usage = (1 + rng.randrange(5000), rng.randrange(20000) if rng.random() < 0.3 else 0,
                     rng.randrange(150000), 1 + rng.randrange(3000))
            requests += 1
            for i, value in enumerate((usage[0], usage[3], usage[2], usage[1])):
                truth[i] += value
            for line in range(2 if rng.random() < 0.25 else 1):
                stamp = (at + timedelta(milliseconds=300 * line)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
                out.write(LINE % (cwd, session, branch, message, model, usage[0], usage[1], usage[2], usage[3],
                                  request, "%s-%d" % (message, line), stamp))
                lines += 1
print("corpus: %d sessions, %d requests, %d lines in %s" % (sessions, requests, lines, root))
print("corpus: true tokens in/out/cache read/cache write = %d/%d/%d/%d" % tuple(truth))
