#!/usr/bin/env bash
# Reports benchmark: a generated year of heavy use (bench/reports-corpus.py: SESSIONS x REQUESTS requests over 365
# days, 8 projects, 5 branches, 3 models) as transcripts, imported by the receiver into a ledger; then, with
# hyperfine (warm-up 1, at least RUNS runs; ccusage CCUSAGE_RUNS runs, default 1: minutes each), in one run side
# by side:
#   - floor: a trivial Java program's start-up (prints one line), with the launcher's JVM flags;
#   - ours, the command's own JVM: `claude-token-metrics daily` and `session` (the launcher script, JSON out, to
#     /dev/null; its start-up cache and native library in this run's own XDG_CACHE_HOME, made by the warm-up),
#     then every other report;
#   - ours, answered by the receiver (docs/REPORTS.md): the same two reports with the receiver running on the
#     year's ledger (HOME at it, its own port), in the same hyperfine run as the floor and the JVM path, and
#     --help answered the same way: what the launcher, curl and a round trip cost before any report;
#   - ccusage: `ccusage daily --json --offline` and `session`, with CLAUDE_CONFIG_DIR at the same transcripts.
# Prints the medians of wall time and the means of CPU time (user + system: steadier on a shared machine), ours against the floor and
# ccusage against ours, both tools' token totals (they must agree), and the --html daily and session reports of
# the year rendered in headless Chromium (HtmlReportBrowserTest; skipped without /usr/bin/chromium).
# Usage: bench/reports-bench.sh [sessions, default 5000] [requests per session, default 100] [runs, default 5]
#   ccusage: CCUSAGE_BIN, else ~/.cache/claude-token-metrics-ci/ccusage-18.0.11 (see .ci/run); skipped without it.
#   REPORTS_LEDGER=/path/to/usage.db: a copy of that ledger (one this script made, kept aside) rather than a
#   generated year: minutes less; no transcripts, so no ccusage.
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-5000}"
requests="${2:-100}"
runs="${3:-5}"
command -v hyperfine >/dev/null || { echo "reports-bench: needs hyperfine" >&2; exit 1; }
ccusage="${CCUSAGE_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/claude-token-metrics-ci/ccusage-18.0.11/node_modules/.bin/ccusage}"
[ -x "$ccusage" ] || ccusage=""

mvn -q -o -B -pl reports -am -DskipTests package
mvn -q -o -B -pl receiver,reports -am test-compile jar:test-jar
# this build's receiver, never one from the shared local repository; third-party jars from it
classpath="reports/target/test-classes:receiver/target/token-metrics-receiver.jar:receiver/target/token-metrics-receiver-tests.jar"
# -am with a phase: the query module comes from the reactor, never from the shared local repository; each module
# writes its own target/classpath.txt
mvn -q -o -B -Dstyle.color=never -pl reports -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt >/dev/null
classpath="$classpath:query/target/classes:$(tr ':' '\n' <reports/target/classpath.txt | grep -v '/dev/tokenmetrics/' \
  | grep -v '/target/' | paste -sd:)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home/.claude/projects" "$work/floor"
db="$work/home/.claude/token-metrics/usage.db"
if [ -n "${REPORTS_LEDGER:-}" ]; then
  mkdir -p "${db%/*}"
  cp "$REPORTS_LEDGER" "$db"
  ccusage=""
else
  python3 bench/reports-corpus.py "$work/home/.claude/projects" "$sessions" "$requests"
  java -cp "$classpath" dev.tokenmetrics.reports.ImportTranscripts "$work/home"
fi
echo "ledger: $(sqlite3 "$db" 'SELECT count(*) FROM requests') requests, $(du -h "$db" | cut -f1)"

# The floor: the smallest Java program, started as the launcher starts ours.
cat > "$work/floor/Hello.java" <<'JAVA'
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
JAVA
javac -d "$work/floor" "$work/floor/Hello.java"
# shellcheck source=/dev/null # scripts/token-metrics-common.sh, checked on its own
java="$(. scripts/token-metrics-common.sh && ctm_find_java 17)"
flags="$(sed -n 's/^flags="\(-XX:TieredStopAtLevel[^"]*\)"$/\1/p' scripts/claude-token-metrics)"
[ -n "$flags" ] || { echo "reports-bench: cannot read the launcher's JVM flags" >&2; exit 1; }
export XDG_CACHE_HOME="$work/cache"

# The receiver on the year's ledger (transcripts elsewhere: it has nothing to import), for the reports it answers.
mkdir -p "$work/no-transcripts"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
HOME="$work/home" CLAUDE_TOKEN_METRICS_PORT="$port" scripts/token-metrics-receiver \
  --transcripts "$work/no-transcripts" >"$work/receiver.log" 2>&1 &
receiver=$!
# Under set -e a failing command would end the trap early: the receiver stopped by TERM exits non-zero.
trap 'kill "$receiver" 2>/dev/null || true; wait "$receiver" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && [ -f "$work/home/.claude/token-metrics/receiver.pid" ] \
    && break
  sleep 0.1
done
via_receiver="HOME=$work/home CLAUDE_TOKEN_METRICS_PORT=$port"
# the same output either way (the tests compare them byte for byte; this checks the year)
for report in daily session; do
  cmp <(env HOME="$work/home" CLAUDE_TOKEN_METRICS_PORT="$port" scripts/claude-token-metrics "$report" --json) \
    <(scripts/claude-token-metrics "$report" --json --db "$db") >/dev/null \
    || { echo "reports-bench: the receiver's $report report differs from the command's" >&2; exit 1; }
done

hyperfine --warmup 1 --min-runs "$runs" --style basic --export-json "$work/ours.json" \
  -n floor "$java $flags -cp $work/floor Hello" \
  -n daily "scripts/claude-token-metrics daily --json --db $db" \
  -n session "scripts/claude-token-metrics session --json --db $db" \
  -n "help (receiver)" "$via_receiver scripts/claude-token-metrics --help" \
  -n "daily (receiver)" "$via_receiver scripts/claude-token-metrics daily --json" \
  -n "session (receiver)" "$via_receiver scripts/claude-token-metrics session --json" >/dev/null
# the other reports, fewer runs: those the rollups cannot answer read every request
hyperfine --warmup 1 --min-runs 3 --style basic --export-json "$work/others.json" \
  -n weekly "scripts/claude-token-metrics weekly --json --db $db" \
  -n monthly "scripts/claude-token-metrics monthly --json --db $db" \
  -n model "scripts/claude-token-metrics model --json --db $db" \
  -n hourly "scripts/claude-token-metrics hourly --json --db $db" \
  -n "daily --since" "scripts/claude-token-metrics daily --json --since 2026-06-01 --db $db" \
  -n "daily --period 7d" "scripts/claude-token-metrics daily --json --period 7d --db $db" \
  -n project "scripts/claude-token-metrics project --json --db $db" \
  -n branch "scripts/claude-token-metrics branch --json --db $db" \
  -n agent "scripts/claude-token-metrics agent --json --db $db" \
  -n blocks "scripts/claude-token-metrics blocks --json --db $db" \
  -n "project (receiver)" "$via_receiver scripts/claude-token-metrics project --json" \
  -n "blocks (receiver)" "$via_receiver scripts/claude-token-metrics blocks --json" >/dev/null
echo '{"results": []}' > "$work/ccusage.json"
if [ -n "$ccusage" ]; then
  # minutes per run on a year: fewer runs (the transcripts are in the page cache since the import)
  hyperfine --runs "${CCUSAGE_RUNS:-1}" --style basic --export-json "$work/ccusage.json" \
    -n ccusage-daily "CLAUDE_CONFIG_DIR=$work/home/.claude $ccusage daily --json --offline" \
    -n ccusage-session "CLAUDE_CONFIG_DIR=$work/home/.claude $ccusage session --json --offline" >/dev/null
fi
python3 - "$work/ours.json" "$work/ccusage.json" "$work/others.json" <<'PY'
import json, sys
runs = {r["command"]: r for f in sys.argv[1:] for r in json.load(open(f))["results"]}
wall = {name: r["median"] * 1000 for name, r in runs.items()}
# hyperfine keeps the mean user and system times: their sum, the CPU a run costs
cpu = {name: (r["user"] + r["system"]) * 1000 for name, r in runs.items()}
print("%-18s %10s %10s %12s %12s" % ("ms", "wall median", "CPU mean", "wall/floor", "CPU/floor"))
for name in wall:
    print("%-18s %10.0f %10.0f %12.2f %12.2f" % (name, wall[name], cpu[name], wall[name] / wall["floor"],
                                                 cpu[name] / cpu["floor"]))
for ours in ("daily", "session"):
    if "ccusage-" + ours in wall:
        print("ccusage %s / ours: wall %.1fx, CPU %.1fx" % (ours, wall["ccusage-" + ours] / wall[ours],
                                                           cpu["ccusage-" + ours] / cpu[ours]))
PY

ours="$(scripts/claude-token-metrics daily --json --db "$db" | python3 -c \
  'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["inputTokens"], t["outputTokens"], t["cacheReadTokens"], t["cacheCreationTokens"])')"
echo "tokens in/out/cache read/cache write: ours $ours"
if [ -n "$ccusage" ]; then
  theirs="$(CLAUDE_CONFIG_DIR="$work/home/.claude" "$ccusage" daily --json --offline | python3 -c \
    'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["inputTokens"], t["outputTokens"], t["cacheReadTokens"], t["cacheCreationTokens"])')"
  echo "tokens in/out/cache read/cache write: ccusage $theirs"
fi

# The year's --html daily and session reports in headless Chromium: rendered, checked against --json, timed.
mvn -q -o -B -pl receiver,reports -am verify -Dtest=HtmlReportBrowserTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dhtml.ledger="$db" 2>&1 | grep -E 'html render|FAIL|skipped' || true
