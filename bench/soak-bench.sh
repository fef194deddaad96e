#!/usr/bin/env bash
# Soak benchmark: the daemon, started by the launcher with its real flags (-Xmx256m, SerialGC, C1), receives
# 100,000 distinct Claude Code sessions (one recorded export of five usage points each, re-dated to now) over a few
# concurrent connections. Every 10,000 sessions: RSS, heap after a full collection (jcmd GC.run, GC.heap_info), the
# metrics file's size, and export-to-file latency (a fresh session's export acknowledged until the session appears
# in the metrics file, polled; five probes, taken while the load goes on). At the end: what the aggregator claims as
# its bound beside what was measured, and whether the metrics file stayed current.
# Usage: bench/soak-bench.sh [sessions, default 100000] [connections, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-100000}"
connections="${2:-4}"
command -v jcmd >/dev/null || { echo "jcmd (from a JDK) is needed" >&2; exit 1; }

mvn -q -B -pl receiver -am -DskipTests package
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
work="$(mktemp -d)"
# Under set -e a failing command would end the trap early: a JVM stopped by TERM exits 143.
cleanup() {
  kill ${pid:-} 2>/dev/null || true
  wait ${pid:-} 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$work/home"
HOME="$work/home" scripts/token-metrics-receiver --port "$port" >"$work/daemon.out" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$port/health" || { echo "the daemon did not start:"; cat "$work/daemon.out"; exit 1; } >&2

echo "soak benchmark: $(nproc) cores, $sessions sessions over $connections connections, launcher flags (-Xmx256m)"
start=$(date +%s)
java -cp "$classpath" dev.tokenmetrics.receiver.SoakDriver "$port" "$pid" "$work/home/.claude/token-metrics.json" \
  "$sessions" 10000 "$connections"
elapsed=$(($(date +%s) - start))
echo "$sessions sessions in ${elapsed}s ($((sessions / (elapsed > 0 ? elapsed : 1))) exports/s with the probes)"

health="$(curl -s "http://127.0.0.1:$port/health")"
remembered="$(sed -n 's/.*"sessions":\([0-9]*\).*/\1/p' <<<"$health")"
listed="$(grep -c '"firstActivity"' "$work/home/.claude/token-metrics.json" || true)"
bound="$(java -cp "$classpath" dev.tokenmetrics.receiver.SoakBound)"
echo "sessions remembered: $remembered; listed in the metrics file: $listed"
echo "claimed: $bound"
echo "RSS at the end: $(awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status"); errors in the log:" \
  "$(grep -c -i 'severe\|outofmemory' "$work/home/.claude/token-metrics/receiver.log" || true)"
