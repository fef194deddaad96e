#!/usr/bin/env bash
# /metrics benchmark: what a scrape costs with a year of heavy use in the ledger (500,000 requests, 250 label sets:
# 1,000 token series, 1,500 usage series in all), server time and bytes, in both formats; and whether scraping
# every second slows the exports (wrk flat out, runs with and without a scraper, interleaved, medians), per encoding.
# Usage: bench/prometheus-bench.sh [seconds per export run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

mvn -q -B -DskipTests package
# -am with a phase: the query module from the reactor, never the shared local repository; each module writes its own
mvn -q -B -pl receiver -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
classpath="receiver/target/token-metrics-receiver.jar:receiver/target/test-classes:$(cat receiver/target/classpath.txt)"
work="$(mktemp -d)"
cleanup() {
  # shellcheck disable=SC2086 # unset ones are left out on purpose
  kill ${pid:-} ${scraper:-} 2>/dev/null || true
  # shellcheck disable=SC2086
  wait ${pid:-} ${scraper:-} 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
state="$work/home/.claude/token-metrics"
mkdir -p "$state"
java -cp "$classpath" dev.tokenmetrics.receiver.BenchLedger "$state/usage.db" 500000 5 10 5
java -cp "$classpath" dev.tokenmetrics.receiver.BenchPayloads "$work" 20000
sync

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
HOME="$work/home" scripts/token-metrics-receiver --port "$port" --transcripts "$work/none" >"$work/daemon.out" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
url="http://127.0.0.1:$port/metrics"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz="$(getconf CLK_TCK)"
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
p99() { sort -g | awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; print v[i] }'; }

echo "/metrics benchmark: $(nproc) cores; ledger of $(du -m "$state/usage.db" | cut -f1) MB, 500,000 requests"
echo "series: $(curl -s "$url" | grep -vc '^#') ($(curl -s "$url" | grep -c '^claude_code_token_usage_tokens_total') token series)"
# scrape FORMAT ACCEPT: 200 scrapes one after another; server time = first byte - request sent (curl's timers)
scrape() {
  local label="$1" accept="$2" times ticks bytes
  for _ in $(seq 20); do curl -s -o /dev/null -H "Accept: $accept" "$url"; done # warm-up
  ticks="$(cpu_ticks)"
  times="$(for _ in $(seq 200); do
    curl -s -o /dev/null -H "Accept: $accept" -w '%{time_pretransfer} %{time_starttransfer} %{size_download}\n' "$url"
  done)"
  ticks=$(($(cpu_ticks) - ticks))
  bytes="$(awk 'NR == 1 {print $3}' <<<"$times")"
  printf '%-14s server time median %6.2f ms, p99 %6.2f ms; %s bytes; receiver CPU %.2f ms per scrape\n' "$label" \
    "$(awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' <<<"$times" | median)" \
    "$(awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' <<<"$times" | p99)" "$bytes" \
    "$(awk -v t="$ticks" -v h="$hz" 'BEGIN { print t / h * 1000 / 200 }')"
}
scrape "text format" "text/plain"
scrape "OpenMetrics" "application/openmetrics-text;version=1.0.0"

# Exports flat out (16 connections), alternately with and without a scrape every second, in each encoding.
exports() {
  BENCH_BODIES="$work/$1" BENCH_THREADS=2 BENCH_CONTENT_TYPE="$2" BENCH_CONTENT_ENCODING="" \
    BENCH_PAUSE_MS=0 wrk -t2 -c16 -d"${seconds}s" -s bench/otlp-post.lua "http://127.0.0.1:$port" \
    | awk '/Requests\/sec/ {print $2}'
}
for encoding in "protobuf bodies.pb application/x-protobuf" "json bodies.json application/json"; do
  read -r name bodies type <<<"$encoding"
  without=""; with=""
  exports "$bodies" "$type" >/dev/null # warm-up
  for _ in 1 2 3; do
    without+="$(exports "$bodies" "$type")"$'\n'
    (while sleep 1; do curl -s -o /dev/null "$url"; done) &
    scraper=$!
    with+="$(exports "$bodies" "$type")"$'\n'
    kill "$scraper"; wait "$scraper" 2>/dev/null || true; scraper=""
  done
  printf 'exports/s, %s, flat out: %.0f without scraping, %.0f scraped every second (medians of 3; ratio %.3f)\n' \
    "$name" "$(median <<<"$without")" "$(median <<<"$with")" \
    "$(awk -v a="$(median <<<"$with")" -v b="$(median <<<"$without")" 'BEGIN { print a / b }')"
done
