#!/usr/bin/env bash
# Dashboard benchmark: a generated year of heavy use (bench/reports-corpus.py: SESSIONS x REQUESTS requests over 365
# days, 8 projects, 5 branches, 3 models) imported into a ledger; the receiver's jar started on it; then
#   - time to first chart: headless Chromium (Selenium) loads http://127.0.0.1:PORT/#range=RANGE (30 days, the
#     default, and 365), a new navigation each run, from navigation start to the first chart drawn, and to every
#     part drawn; floor: a navigation to /health, in the same browser;
#   - each API route's response time (hyperfine over curl, the page's own queries over the year); floor: GET /health;
#   - the receiver's resident memory before, and its peak after every route asked for all of the ledger
#     (since=2000-01-01), twice.
# Prints medians, and ratios against the floors. Needs chromium, chromedriver, hyperfine, curl, sqlite3.
# Usage: bench/dashboard-bench.sh [sessions, default 5000] [requests per session, default 100] [runs, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-5000}"
requests="${2:-100}"
runs="${3:-10}"
for tool in hyperfine curl sqlite3 chromium chromedriver; do
  command -v "$tool" >/dev/null || { echo "dashboard-bench: needs $tool" >&2; exit 1; }
done

work="$(mktemp -d)"
receiver_pid=""
cleanup() {
  if [ -n "$receiver_pid" ]; then
    kill "$receiver_pid" 2>/dev/null || true
    wait "$receiver_pid" 2>/dev/null || true # its last writes done before its files go
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# this build's modules from the reactor (never the shared local repository), with e2e's test classpath (Selenium)
mvn -q -o -B -pl receiver -am -DskipTests package
mvn -q -o -B -Dstyle.color=never -pl e2e,reports -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/classpath"
classpath="e2e/target/test-classes:reports/target/test-classes:$(cat "$work/classpath")"

mkdir -p "$work/home/.claude/projects"
python3 bench/reports-corpus.py "$work/home/.claude/projects" "$sessions" "$requests"
java -cp "$classpath" dev.tokenmetrics.reports.ImportTranscripts "$work/home"
rm -rf "$work/home/.claude/projects" # imported: the receiver below has nothing left to scan
db="$work/home/.claude/token-metrics/usage.db"
echo "ledger: $(sqlite3 "$db" 'SELECT count(*) FROM requests') requests, $(du -h "$db" | cut -f1)"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# the launcher users run, with its JVM flags (a 256 MB heap that exits when exhausted)
HOME="$work/home" scripts/token-metrics-receiver --port "$port" >"$work/receiver.log" 2>&1 &
receiver_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
rss() { awk -v field="$1" '$1 == field ":" {print int($2 / 1024) " MB"}' "/proc/$receiver_pid/status"; }
echo "receiver: resident $(rss VmRSS) before the dashboard"

for range in 30 365; do
  java -cp "$classpath" dev.tokenmetrics.e2e.DashboardFirstChart "$base" "$range" "$runs" > "$work/chart-$range"
done
python3 - "$work" <<'PY'
import statistics, sys
for range_ in ("30", "365"):
    lines = dict(line.split(" ", 1) for line in open(f"{sys.argv[1]}/chart-{range_}").read().splitlines())
    chart = statistics.median(map(int, lines["first-chart-ms"].split()))
    complete = statistics.median(map(int, lines["complete-ms"].split()))
    floor = statistics.median(map(int, lines["floor-ms"].split()))
    print(f"range {range_} days: first chart median {chart:.0f} ms ({chart / max(floor, 1):.1f}x the floor),"
          f" every part {complete:.0f} ms; floor (a navigation to /health) {floor:.0f} ms")
PY

# the page's queries over the year the corpus covers (it ends 2026-11-30)
session="$(sqlite3 "$db" 'SELECT session_id FROM requests ORDER BY time_ms DESC LIMIT 1')"
year="since=2025-12-01&until=2026-11-30"
hyperfine --warmup 2 --min-runs "$runs" --style basic --export-json "$work/api.json" \
  -n floor "curl -sf -o /dev/null $base/health" \
  -n summary "curl -sf -o /dev/null $base/api/v1/summary" \
  -n daily "curl -sf -o /dev/null '$base/api/v1/report?report=daily&$year'" \
  -n project "curl -sf -o /dev/null '$base/api/v1/report?report=project&$year'" \
  -n branch "curl -sf -o /dev/null '$base/api/v1/report?report=branch&$year'" \
  -n session-50 "curl -sf -o /dev/null '$base/api/v1/report?report=session&limit=50&$year'" \
  -n blocks-day "curl -sf -o /dev/null '$base/api/v1/report?report=blocks&since=2026-11-29'" \
  -n heatmap "curl -sf -o /dev/null '$base/api/v1/heatmap?$year'" \
  -n requests "curl -sf -o /dev/null '$base/api/v1/requests?session=$session'" >/dev/null
python3 - "$work/api.json" <<'PY'
import json, sys
results = {r["command"]: r["median"] * 1000 for r in json.load(open(sys.argv[1]))["results"]}
floor = results.pop("floor")
print(f"API medians (floor GET /health {floor:.1f} ms): "
      + ", ".join(f"{name} {ms:.1f} ms ({ms / floor:.1f}x)" for name, ms in results.items()))
PY

# everything at once, twice: the memory a range of years costs (one query at a time, rows bounded)
for _ in 1 2; do
  for report in daily weekly monthly session blocks project branch model agent hourly; do
    curl -sf -o /dev/null "$base/api/v1/report?report=$report&since=2000-01-01"
  done
  curl -sf -o /dev/null "$base/api/v1/heatmap?since=2000-01-01"
done
echo "receiver: resident $(rss VmRSS) after every report over all of it, peak $(rss VmHWM)"
