#!/usr/bin/env bash
# Receiver benchmark: durable exports per second and latency for a real Claude Code export in each encoding, over
# loopback with concurrent connections (wrk), and the daemon's idle RSS with the flags the launcher uses.
# Usage: bench/receiver-bench.sh [seconds per run, default 10] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
connections="${2:-16}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

mvn -q -B -DskipTests package
mvn -q -B -pl receiver test-compile
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
java -cp receiver/target/token-metrics-receiver.jar:receiver/target/test-classes \
  dev.tokenmetrics.receiver.BenchPayloads "$work" 20000

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$work/home"
HOME="$work/home" scripts/token-metrics-receiver --port "$port" >"$work/daemon.out" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
sleep 5
rss_idle="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"

echo "receiver benchmark: $(nproc) cores, wrk 2 threads, $connections connections, ${seconds}s per encoding"
printf '%-28s %12s %10s %10s %10s\n' "encoding" "exports/s" "p50" "p99" "errors"
run() {
  local label="$1" file="$2" type="$3" encoding="$4" out
  # warm-up, then the measured run
  BENCH_BODIES="$work/$file" BENCH_THREADS=2 BENCH_CONTENT_TYPE="$type" BENCH_CONTENT_ENCODING="$encoding" \
    wrk -t2 -c"$connections" -d3s -s bench/otlp-post.lua "http://127.0.0.1:$port" >/dev/null
  out="$(BENCH_BODIES="$work/$file" BENCH_THREADS=2 BENCH_CONTENT_TYPE="$type" BENCH_CONTENT_ENCODING="$encoding" \
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/otlp-post.lua "http://127.0.0.1:$port")"
  local rps p50 p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  printf '%-28s %12s %10s %10s %10s\n' "$label" "$rps" "$p50" "$p99" "${errors:-0}"
}
run "http/protobuf" bodies.pb application/x-protobuf ""
run "http/protobuf + gzip" bodies.pb.gz application/x-protobuf gzip
run "http/json" bodies.json application/json ""

sleep 10
rss_after="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
echo "idle RSS: $((rss_idle / 1024)) MB after start, $((rss_after / 1024)) MB idle after the load"
sessions="$(curl -s "http://127.0.0.1:$port/health" | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p')"
echo "sessions tracked: $sessions; journal fsync'd before every 200"
