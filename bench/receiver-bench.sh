#!/usr/bin/env bash
# Receiver benchmark: durable exports per second and latency for a real Claude Code export in each encoding, over
# loopback with concurrent connections (wrk), and the daemon's idle RSS with the flags the launcher uses.
# Each encoding: a 3 s warm-up, then three measured runs; medians are reported, with the worst p99 beside them.
# Usage: bench/receiver-bench.sh [seconds per run, default 5] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
connections="${2:-16}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

mvn -q -B -DskipTests package
mvn -q -B -pl receiver test-compile
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
java -cp receiver/target/token-metrics-receiver.jar:receiver/target/test-classes \
  dev.tokenmetrics.receiver.BenchPayloads "$work" 20000
# Write the 175 MB of payloads back now: the kernel would do it ~30 s later, mid-run, and every fsync of the
# journal would queue behind it (seen as 130-280 ms stalls before this line).
sync

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$work/home"
HOME="$work/home" scripts/token-metrics-receiver --port "$port" >"$work/daemon.out" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
sleep 5
rss_idle="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"

echo "receiver benchmark: $(nproc) cores, wrk 2 threads, $connections connections, 3 x ${seconds}s per encoding"
printf '%-24s %12s %10s %10s %12s %8s\n' "encoding" "exports/s" "p50" "p99" "worst p99" "errors"
median() { sort -g | sed -n 2p; }
ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f\n", v }'; }
run() {
  local label="$1" file="$2" type="$3" encoding="$4" out rps="" p50="" p99="" errors=0
  wrk_run() {
    BENCH_BODIES="$work/$file" BENCH_THREADS=2 BENCH_CONTENT_TYPE="$type" BENCH_CONTENT_ENCODING="$encoding" \
      wrk -t2 -c"$connections" -d"$1" --latency -s bench/otlp-post.lua "http://127.0.0.1:$port"
  }
  wrk_run 3s >/dev/null
  for _ in 1 2 3; do
    out="$(wrk_run "${seconds}s")"
    rps+="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"$'\n'
    p50+="$(awk '$1=="50%" {print $2}' <<<"$out" | ms)"$'\n'
    p99+="$(awk '$1=="99%" {print $2}' <<<"$out" | ms)"$'\n'
    errors=$((errors + $(awk '/Non-2xx/ {print $5}' <<<"$out" | grep . || echo 0)))
  done
  printf '%-24s %12s %8sms %8sms %10sms %8s\n' "$label" "$(median <<<"$rps")" "$(median <<<"$p50")" \
    "$(median <<<"$p99")" "$(sort -g <<<"$p99" | tail -1)" "$errors"
}
run "http/protobuf" bodies.pb application/x-protobuf ""
run "http/protobuf + gzip" bodies.pb.gz application/x-protobuf gzip
sleep 10 # idle: what a Claude Code user (protobuf, its default) sees; JSON loads protobuf's descriptors besides
rss_protobuf="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
run "http/json" bodies.json application/json ""

# Below saturation, the latency a client sees at a given rate: each connection pauses between a response and its
# next request, the pause calibrated in two short runs so that the 16 connections together offer the target rate.
# (hey, the Debian tool that paces by rate, saturates these two cores by itself at 16 connections.)
paced() {
  local rate="$1" pause achieved out
  pause="$(awk -v c="$connections" -v r="$rate" 'BEGIN { p = c * 1000 / r - 1; print (p < 0 ? 0 : p) }')"
  for _ in 1 2; do
    achieved="$(wrk_paced "$pause" 2s | awk '/Requests\/sec/ {print $2}')"
    # one connection's cycle is its latency plus its pause: move the pause by the gap between the two cycles
    pause="$(awk -v c="$connections" -v r="$rate" -v a="$achieved" -v p="$pause" \
      'BEGIN { p += c * 1000 / r - c * 1000 / a; print (p < 0 ? 0 : p) }')"
  done
  out="$(wrk_paced "$pause" "${seconds}s")"
  printf '%-24s %12s %8sms %8sms   (paced for %s/s: each connection pauses %.1f ms)\n' "http/protobuf, paced" \
    "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out" | ms)" \
    "$(awk '$1=="99%" {print $2}' <<<"$out" | ms)" "$rate" "$pause"
}
wrk_paced() {
  BENCH_PAUSE_MS="$1" BENCH_BODIES="$work/bodies.pb" BENCH_THREADS=2 BENCH_CONTENT_TYPE=application/x-protobuf \
    wrk -t2 -c"$connections" -d"$2" --latency -s bench/otlp-post.lua "http://127.0.0.1:$port"
}
for rate in 1000 3000 5000; do
  paced "$rate"
done

sleep 10
rss_after="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
echo "idle RSS (MiB): $(awk -v a="$rss_idle" -v p="$rss_protobuf" -v b="$rss_after" 'BEGIN {
  printf "%.1f after start, %.1f after the protobuf load, %.1f after every load", a / 1024, p / 1024, b / 1024 }')"
sessions="$(curl -s "http://127.0.0.1:$port/health" | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p')"
echo "sessions tracked: $sessions; journal fsync'd before every 200"
