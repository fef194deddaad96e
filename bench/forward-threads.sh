#!/usr/bin/env bash
# Forwarding's CPU per export, thread by thread (docs/PERFORMANCE.md#forwarding): the plain receiver and a receiver
# forwarding to the minimal OTLP/HTTP sink (bench/otlp-sink.c), the same load on each, interleaved round by round,
# protobuf and gzip-compressed protobuf; each thread's CPU (utime + stime from /proc/<pid>/task/*/stat, threads of
# one pool summed, digits in names folded) over the exports answered 2xx, and the exports per group commit (from
# /metrics). A forwarding run counts until its queue is empty again. Prints each thread's figure per round and the
# median of the forwarding daemon's excess over the plain one's, round by round.
# Usage: bench/forward-threads.sh [rounds, default 5] [seconds per run, default 5] [pause ms, default 0: flat out;
#        N: each of the 16 connections waits N ms on average between an answer and its next request, a paced load
#        under which both daemons make commit groups of the same size]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
seconds="${2:-5}"
pause="${3:-0}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc and zlib's headers are needed: apt-get install gcc zlib1g-dev" >&2; exit 1; }
export LC_ALL=C # join and sort agree on the order

mvn -q -B -o -pl receiver -am -DskipTests package
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
work="$(mktemp -d)"
pids=()
declare -A port pid
trap 'kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
java -cp "$classpath" dev.tokenmetrics.receiver.BenchPayloads "$work" 20000
gcc -O2 -o "$work/otlp-sink" bench/otlp-sink.c -lz
sync
cat >"$work/threads.py" <<'PY'
import os, re, sys
pid = sys.argv[1]
groups = {}
for tid in os.listdir(f"/proc/{pid}/task"):
    try:
        comm = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
        stat = open(f"/proc/{pid}/task/{tid}/stat").read()
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    name = re.sub(r"\d+", "N", comm).replace(" ", "_")
    groups[name] = groups.get(name, 0) + int(fields[11]) + int(fields[12])
for name in sorted(groups):
    print(name, groups[name])
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up() {
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/$2" && return; sleep 0.1; done
  echo "the server on port $1 did not start" >&2
  exit 1
}
# daemon VARIANT [forward-to-port]: starts a receiver in its own home
daemon() {
  port[$1]="$(free_port)"
  mkdir -p "$work/$1"
  HOME="$work/$1" scripts/token-metrics-receiver --port "${port[$1]}" ${2:+--forward-endpoint "http://127.0.0.1:$2"} \
    >"$work/$1.out" 2>&1 &
  pids+=($!)
  pid[$1]=$!
  up "${port[$1]}" health
}
sink_port="$(free_port)"
"$work/otlp-sink" "$sink_port" >"$work/sink.out" 2>&1 &
pids+=($!)
up "$sink_port" counts
daemon plain
daemon forwarding "$sink_port"

hz="$(getconf CLK_TCK)"
health() { curl -s "http://127.0.0.1:$1/health" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
commits() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^claude_token_metrics_commits_total/ { print $2 }'; }
drained() { for _ in $(seq 600); do [ "$(health "$1" queuedExports)" = 0 ] && return; sleep 0.1; done; }
# post PORT FILE ENCODING DURATION: prints "requests/s 2xx-requests"
post() {
  local out
  out="$(BENCH_BODIES="$work/$2" BENCH_THREADS=2 BENCH_CONTENT_TYPE=application/x-protobuf BENCH_CONTENT_ENCODING="$3" \
    BENCH_PAUSE_MS="$pause" wrk -t2 -c16 -d"$4" -s bench/otlp-post.lua "http://127.0.0.1:$1")"
  awk '/Requests\/sec/ {rps = $2} /requests in/ {n = $1} /Non-2xx/ {bad = $5} END {print rps, n - bad}' <<<"$out"
}
results="$work/results"
: >"$results"
for round in $(seq 0 "$rounds"); do # round 0 warms each daemon up
  for encoding in protobuf gzip; do
    file=bodies.pb
    gzip=""
    [ "$encoding" = gzip ] && file=bodies.pb.gz && gzip=gzip
    for variant in plain forwarding; do
      python3 "$work/threads.py" "${pid[$variant]}" >"$work/before"
      c0="$(commits "${port[$variant]}")"
      duration="${seconds}s"
      [ "$round" = 0 ] && duration=3s
      read -r rps requests < <(post "${port[$variant]}" "$file" "$gzip" "$duration")
      [ "$variant" = forwarding ] && drained "${port[$variant]}"
      python3 "$work/threads.py" "${pid[$variant]}" >"$work/after"
      c1="$(commits "${port[$variant]}")"
      [ "$round" = 0 ] && continue
      join -a2 -e0 -o 0,1.2,2.2 "$work/before" "$work/after" | awk -v r="$round" -v e="$encoding" -v v="$variant" \
        -v n="$requests" -v h="$hz" -v rps="$rps" -v c="$((c1 - c0))" '
        { us = ($3 - $2) / h * 1e6 / n; all += us; if (us >= 0.5) printf "%s %s %s %s %.1f\n", r, e, v, $1, us }
        END { printf "%s %s %s ALL %.1f\n%s %s %s exports/s %.0f\n%s %s %s exports/commit %.1f\n",
              r, e, v, all, r, e, v, rps, r, e, v, n / c }' >>"$results"
    done
  done
done

echo "forwarding thread by thread: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), 16 connections," \
  "pause ${pause} ms, $rounds rounds of ${seconds}s; µs of CPU per export unless named; plain | forwarding, each round"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for encoding in protobuf gzip; do
  echo "$encoding"
  awk -v e="$encoding" '$2 == e {print $4}' "$results" | sort -u >"$work/threads"
  while read -r thread; do
    row() { for r in $(seq 1 "$rounds"); do
      awk -v r="$r" -v e="$encoding" -v v="$1" -v t="$thread" 'BEGIN {x = 0} $1 == r && $2 == e && $3 == v && $4 == t {x = $5}
        END {print x}' "$results"; done; }
    plain="$(row plain | tr '\n' ' ')"
    forwarding="$(row forwarding | tr '\n' ' ')"
    excess="$(paste <(row forwarding) <(row plain) | awk '{print $1 - $2}' | median)"
    printf '  %-16s %-40s | %-40s excess %+.1f\n' "$thread" "$plain" "$forwarding" "$excess"
  done <"$work/threads"
done
read -r _ sink_exports sink_bad _ < <(curl -s "http://127.0.0.1:$sink_port/counts")
echo "the sink counted $sink_exports exports ($sink_bad bad); the forwarding daemon sent $(health "${port[forwarding]}" \
  sentExports), dropped $(health "${port[forwarding]}" droppedExports), retried $(health "${port[forwarding]}" retries)"
