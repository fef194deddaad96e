#!/usr/bin/env python3
"""Writes a Claude Code-like ~/.claude for the statusline benchmark.

usage: statusline-corpus.py HOME MESSAGES OTHER_SESSIONS SESSIONS_IN_METRICS_FILE
The current session's transcript gets MESSAGES assistant messages (each with a user line and a repeated usage line,
as Claude Code writes them); OTHER_SESSIONS more transcripts of 200 messages fill ~/.claude/projects; the metrics
file lists SESSIONS_IN_METRICS_FILE sessions, the current one most recent (first), as the receiver writes it.
Prints the statusLine stdin JSON for the current session.
"""
import json, os, sys, uuid, datetime

home, messages, others, in_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
project = os.path.join(home, ".claude", "projects", "-home-user-proj")
os.makedirs(project, exist_ok=True)
now = datetime.datetime.now(datetime.timezone.utc)

def transcript(path, session, count):
    with open(path, "w") as out:
        for i in range(count):
            ts = (now - datetime.timedelta(seconds=(count - i) * 5)).isoformat().replace("+00:00", "Z")
            out.write(json.dumps({"type": "user", "sessionId": session, "timestamp": ts, "uuid": str(uuid.uuid4()),
                                  "message": {"role": "user", "content": "please do step %d" % i}}) + "\n")
            line = {"type": "assistant", "sessionId": session, "timestamp": ts, "uuid": str(uuid.uuid4()),
                    "requestId": "req_%s_%d" % (session[:8], i), "cwd": "/home/user/proj", "version": "2.1.331",
                    "message": {"id": "msg_%s_%d" % (session[:8], i), "type": "message", "role": "assistant",
                                "model": "claude-sonnet-4-5-20250929",
                                "content": [{"type": "text", "text": "Done with step %d." % i}],
                                "usage": {"input_tokens": 3 + i % 7, "output_tokens": 50 + i % 400,
                                          "cache_read_input_tokens": 20000 + i * 3, "cache_creation_input_tokens": 100}}}
            out.write(json.dumps(line) + "\n")
            out.write(json.dumps(line) + "\n")  # a second content block repeats the usage

current = "3e3f7079-bce4-48ab-a257-1faa7f1d3ed2"
path = os.path.join(project, current + ".jsonl")
transcript(path, current, messages)
for n in range(others):
    session = str(uuid.UUID(int=n + 1))
    transcript(os.path.join(project, session + ".jsonl"), session, 200)

def session_entry(tokens, cost):
    return {"tokens": {"input": tokens, "output": tokens // 10, "cacheRead": tokens * 20, "cacheCreation": 100,
                       "total": tokens + tokens // 10 + tokens * 20 + 100},
            "costUsd": cost, "models": {"claude-sonnet-4-5": {"tokens": {"input": tokens}, "costUsd": cost}},
            "model": "claude-sonnet-4-5", "firstActivity": now.isoformat(), "lastActivity": now.isoformat(),
            "tokensPerMinute": 850, "apiRequests": 12, "resource": {"service.version": "2.1.331"}}

sessions = {current: session_entry(2500, 0.1512)}
for n in range(in_file - 1):
    sessions[str(uuid.UUID(int=10_000 + n))] = session_entry(1000 + n, 0.01 * n)
# The machine's 5-hour block, as the receiver writes it: from the hour of a request an hour ago, 5 hours long.
start = (now - datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
end = start + datetime.timedelta(hours=5)
iso = lambda t: t.isoformat().replace("+00:00", "Z")
block = {"start": iso(start), "end": iso(end), "firstRequest": iso(start + datetime.timedelta(minutes=7)),
         "lastRequest": iso(now), "tokens": {"input": 5000, "output": 900, "cacheRead": 400000, "cacheCreation": 9000,
                                             "total": 414900},
         "costUsd": 4.1034, "projectedTokens": 1200000, "projectedCostUsd": 9.7981}
metrics = {"schemaVersion": 1, "timestamp": iso(now), "totals": {}, "totalUsed": 0,
           "model": "claude-sonnet-4-5", "sessionId": current,
           "today": {"date": now.date().isoformat(), "tokens": {"total": 1}, "costUsd": 12.3456}, "block": block,
           "sessions": sessions}
with open(os.path.join(home, ".claude", "token-metrics.json"), "w") as out:
    json.dump(metrics, out, indent=2)

# The live file beside it, as the receiver writes it from the same figures (docs/STATUSLINE.md): at most 200 sessions.
with open(os.path.join(home, ".claude", "token-metrics.live.tsv"), "w") as out:
    stamp = int(now.timestamp() * 1000)
    out.write("ctm-live\t1\t%d\t%s\t%s\n" % (stamp, json.dumps(metrics["today"]["costUsd"]), metrics["model"]))
    out.write("ctm-block\t%d\t%d\t%d\t%s\t%s\n" % (int(start.timestamp() * 1000), int(end.timestamp() * 1000),
                                                block["tokens"]["total"], json.dumps(block["costUsd"]),
                                                json.dumps(block["projectedCostUsd"])))
    for session, entry in list(sessions.items())[:200]:
        out.write("%s\t%d\t%s\t%d\t%s\n" % (session, entry["tokens"]["total"], json.dumps(entry["costUsd"]),
                                             entry["tokensPerMinute"], entry["model"]))

print(json.dumps({"session_id": current, "transcript_path": path, "cwd": "/home/user/proj",
                  "model": {"id": "claude-sonnet-4-5-20250929", "display_name": "Sonnet 4.5"},
                  "workspace": {"current_dir": "/home/user/proj", "project_dir": "/home/user/proj"},
                  "version": "2.1.331", "output_style": {"name": "default"},
                  "cost": {"total_cost_usd": 0.1512, "total_duration_ms": 16387, "total_api_duration_ms": 4700},
                  "context_window": {"total_input_tokens": 22500, "context_window_size": 200000,
                                     "used_percentage": 11, "remaining_percentage": 89},
                  "exceeds_200k_tokens": False}))
