#!/usr/bin/env bash
# What the ledger's metrics rows cost the receiver: this working tree's daemon against a base revision's (default
# main), each with its ledger open, in interleaved rounds of the same paced load of Claude Code's recorded metrics
# export (protobuf, 64 sessions, 16 connections). Per daemon, medians over the rounds: exports/s, p99, the daemon's
# CPU per export and the ledger writer thread's CPU per second of load; then this tree's over the base's.
# Interleaving, rather than one run after the other, keeps the VM's drift out of the ratio.
# Usage: bench/ledger-metrics-bench.sh [base revision, default main] [rounds, default 4] [seconds, default 5]
#        [rate per second, default 2000]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-main}"
rounds="${2:-4}"
seconds="${3:-5}"
rate="${4:-2000}"
connections=16
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mvn -q -B -pl receiver -am package -DskipTests
mvn -q -B -pl receiver -am test-compile
mkdir -p "$work/base"
git archive "$base" | tar -x -C "$work/base"
(cd "$work/base" && mvn -q -B -pl receiver -am package -DskipTests)
java -cp receiver/target/token-metrics-receiver.jar:receiver/target/test-classes \
  dev.tokenmetrics.receiver.BenchPayloads "$work" 20000
sync

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start NAME TREE: the daemon of TREE, as its launcher runs it, with its own HOME; sets port_NAME and pid_NAME
start() {
  local port
  port="$(free_port)"
  mkdir -p "$work/home-$1"
  HOME="$work/home-$1" "$2/scripts/token-metrics-receiver" --port "$port" >"$work/$1.out" 2>&1 &
  pids+=("$!")
  printf -v "port_$1" '%s' "$port"
  printf -v "pid_$1" '%s' "$!"
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && return; sleep 0.1; done
  { echo "the $1 daemon did not start:"; cat "$work/$1.out"; } >&2
  exit 1
}
start base "$work/base"
start tree .

ticks() { awk '{print $14 + $15}' "$1"; } # user + system time of a process or thread, in clock ticks
writer_stat() { grep -lx ledger-writer /proc/"$1"/task/*/comm | sed 's/comm$/stat/'; }
hz="$(getconf CLK_TCK)"
pause="$(awk -v c="$connections" -v r="$rate" 'BEGIN { p = c * 1000 / r - 1; print (p < 0 ? 0 : p) }')"
ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f\n", v }'; }

# round NAME: one paced run against the daemon; appends "exports/s p99_ms cpu_us_per_export writer_ms_per_s"
round() {
  local port pid out process writer requests
  port="port_$1"; pid="pid_$1"
  process="$(ticks "/proc/${!pid}/stat")"
  writer="$(ticks "$(writer_stat "${!pid}")")"
  out="$(BENCH_BODIES="$work/bodies.pb" BENCH_THREADS=2 BENCH_CONTENT_TYPE=application/x-protobuf \
    BENCH_CONTENT_ENCODING="" BENCH_PAUSE_MS="$pause" \
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/otlp-post.lua "http://127.0.0.1:${!port}")"
  process=$(($(ticks "/proc/${!pid}/stat") - process))
  writer=$(($(ticks "$(writer_stat "${!pid}")") - writer))
  requests="$(awk '/requests in/ {print $1}' <<<"$out")"
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out" | ms)" \
    "$(awk -v t="$process" -v h="$hz" -v n="$requests" 'BEGIN { print t / h * 1e6 / n }')" \
    "$(awk -v t="$writer" -v h="$hz" -v s="$seconds" 'BEGIN { print t / h * 1000 / s }')" >>"$work/$1.rounds"
}
# A warm-up for each, then the rounds, alternating which goes first.
for name in base tree; do
  port="port_$name"
  BENCH_BODIES="$work/bodies.pb" BENCH_THREADS=2 BENCH_CONTENT_TYPE=application/x-protobuf BENCH_PAUSE_MS="$pause" \
    wrk -t2 -c"$connections" -d3s -s bench/otlp-post.lua "http://127.0.0.1:${!port}" >/dev/null
done
for i in $(seq "$rounds"); do
  if [ $((i % 2)) -eq 1 ]; then round base; round tree; else round tree; round base; fi
done

# median COLUMN FILE
median() { awk -v c="$1" '{print $c}' "$2" | sort -g | awk '{v[NR] = $1} END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "ledger metrics benchmark: $(nproc) cores, $connections connections paced for ${rate}/s, $rounds x ${seconds}s each, interleaved"
printf '%-22s %10s %9s %12s %18s\n' "daemon" "exports/s" "p99" "CPU/export" "ledger writer CPU"
for name in base tree; do
  label="$name"; [ "$name" = base ] && label="base ($base)"
  printf '%-22s %10.0f %7.2fms %10.0fus %14.1fms/s\n' "$label" "$(median 1 "$work/$name.rounds")" \
    "$(median 2 "$work/$name.rounds")" "$(median 3 "$work/$name.rounds")" "$(median 4 "$work/$name.rounds")"
done
echo "tree / base: CPU per export $(awk -v a="$(median 3 "$work/tree.rounds")" -v b="$(median 3 "$work/base.rounds")" \
  'BEGIN { printf "%.2f", a / b }'), p99 $(awk -v a="$(median 2 "$work/tree.rounds")" \
  -v b="$(median 2 "$work/base.rounds")" 'BEGIN { printf "%.2f", a / b }')"
echo "rows the tree's ledger holds: $(sqlite3 "$work/home-tree/.claude/token-metrics/usage.db" \
  "SELECT count(*) || ' metrics rows, ' || sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) || ' tokens' FROM requests WHERE source = 'metrics'")"
