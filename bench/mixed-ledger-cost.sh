#!/usr/bin/env bash
# What the usage ledger costs logs and metrics mixed: one daemon with its ledger, then one whose ledger cannot be
# opened (its file a directory: the writer holds rows and retries, SQLite does nothing), each with the launcher's
# flags and the same phases of 5 s, flat out, new usage in every phase (BENCH_FIRST): metrics alone, mixed twice
# (8 connections metrics, 8 logs), metrics again. Per phase: exports/s, the daemon's CPU, and the journal's write +
# fsync per commit group from /metrics (what every acknowledgement waits for). Needs wrk.
# Usage: bench/mixed-ledger-cost.sh [rounds, default 1]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-1}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

mvn -q -B -pl receiver -am -DskipTests package
work="$(mktemp -d)"
cleanup() {
  kill ${pid:+"$pid"} 2>/dev/null || true
  wait ${pid:+"$pid"} 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
java -cp receiver/target/token-metrics-receiver.jar:receiver/target/test-classes dev.tokenmetrics.receiver.BenchPayloads \
  "$work" 80000 40000
rm -f "$work/bodies.json" "$work/bodies.pb.gz"
sync

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fsync_totals() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^claude_token_metrics_journal_fsync_seconds_(sum|count)/ {printf "%s ", $2}'; }
post() { # BODIES FIRST PATH: prints exports/s
  BENCH_BODIES="$work/$1" BENCH_FIRST="$2" BENCH_PATH="$3" BENCH_THREADS=1 BENCH_CONTENT_TYPE=application/x-protobuf \
    BENCH_PAUSE_MS=0 wrk -t1 -c8 -d5s -s bench/otlp-post.lua "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}'
}
phase() { # LABEL METRICS_FIRST [LOGS_FIRST]
  local before ticks metrics logs=0 client
  before="$(fsync_totals)"
  ticks="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  if [ $# -ge 3 ]; then
    post bodies.pb "$2" /v1/metrics >"$work/metrics.out" &
    client=$!
    logs="$(post logs.pb "$3" /v1/logs)"
    wait "$client"
    metrics="$(cat "$work/metrics.out")"
  else
    metrics="$(post bodies.pb "$2" /v1/metrics)"
  fi
  awk -v l="$1" -v m="$metrics" -v g="$logs" -v t="$(($(awk '{print $14 + $15}' "/proc/$pid/stat") - ticks))" \
    -v h="$(getconf CLK_TCK)" -v b="$before" -v a="$(fsync_totals)" 'BEGIN {
      split(b, x, " "); split(a, y, " ")
      printf "  %-14s %7.0f exports/s  CPU %3.0f %% of a core  fsync %.2f ms a group\n", l, m + g, t / h / 5 * 100,
        (y[1] - x[1]) / (y[2] - x[2]) * 1000 }'
}
daemon() { # LABEL LEDGER(yes|no)
  rm -rf "${work:?}/home"
  mkdir -p "$work/home"
  [ "$2" = yes ] || mkdir -p "$work/home/.claude/token-metrics/usage.db"
  port="$(free_port)"
  HOME="$work/home" scripts/token-metrics-receiver --port "$port" >"$work/daemon.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
  echo "$1"
  phase "metrics" 0
  phase "mixed" 25000 0
  phase "mixed" 40000 20000
  phase "metrics" 55000
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  unset pid
}
echo "mixed load and the ledger: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before"
for _ in $(seq "$rounds"); do
  daemon "with the ledger" yes
  daemon "the ledger unavailable" no
done
