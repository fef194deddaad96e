#!/usr/bin/env bash
# Forwarding A/B (docs/PERFORMANCE.md#forwarding): the receiver's durable exports per second and CPU per export
# with forwarding on, the upstream being a minimal OTLP/HTTP sink (bench/otlp-sink.c: inflates each request, walks
# its top-level fields to count the exports, answers 200; a few µs of CPU per export) that stands in for a team's
# collector on another machine, against the plain receiver in
# the same rounds, interleaved: plain, forwarding with this build, and forwarding with an earlier build when one is
# given. A forwarding run's CPU counts until its queue is empty again (the sender's work on that run's exports);
# each sink's CPU is reported apart. At the end every sink must hold exactly the exports its daemon acknowledged.
# Usage: bench/forward-ab.sh [earlier build: a directory with scripts/ and lib/token-metrics-receiver.jar, or ""]
#        [rounds, default 3] [seconds per run, default 5] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
before="${1:-}"
rounds="${2:-3}"
seconds="${3:-5}"
connections="${4:-16}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc and zlib's headers are needed: apt-get install gcc zlib1g-dev" >&2; exit 1; }

mvn -q -B -o -pl receiver -am -DskipTests package
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
work="$(mktemp -d)"
pids=()
declare -A port pid sink_port sink_pid acknowledged
# Under set -e a failing command would end the trap early: a JVM stopped by TERM exits 143.
trap 'kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
java -cp "$classpath" dev.tokenmetrics.receiver.BenchPayloads "$work" 20000
gcc -O2 -o "$work/otlp-sink" bench/otlp-sink.c -lz
sync # the payloads written back now, not mid-run behind the journal's fsyncs

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up() {
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/$2" && return; sleep 0.1; done
  echo "the server on port $1 did not start" >&2
  exit 1
}
# sink VARIANT: starts the variant's sink
sink() {
  sink_port[$1]="$(free_port)"
  "$work/otlp-sink" "${sink_port[$1]}" >"$work/sink-$1.out" 2>&1 &
  pids+=($!)
  sink_pid[$1]=$!
  up "${sink_port[$1]}" counts
}
# daemon VARIANT LAUNCHER [forward-to-port]: starts a receiver in its own home
daemon() {
  port[$1]="$(free_port)"
  mkdir -p "$work/$1"
  HOME="$work/$1" "$2" --port "${port[$1]}" ${3:+--forward-endpoint "http://127.0.0.1:$3"} >"$work/$1.out" 2>&1 &
  pids+=($!)
  pid[$1]=$!
  up "${port[$1]}" health
}
variants=(plain after)
[ -n "$before" ] && variants=(plain before after)
daemon plain scripts/token-metrics-receiver
for variant in "${variants[@]:1}"; do
  launcher=scripts/token-metrics-receiver
  [ "$variant" = before ] && launcher="$before/scripts/token-metrics-receiver"
  sink "$variant"
  daemon "$variant" "$launcher" "${sink_port[$variant]}"
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
health() { curl -s "http://127.0.0.1:$1/health" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
# drained PORT: waits until a forwarding daemon's queue is empty (at most 60 s)
drained() { for _ in $(seq 600); do [ "$(health "$1" queuedExports)" = 0 ] && return; sleep 0.1; done; }
# post PORT FILE TYPE ENCODING DURATION: flat out; prints "requests/s 2xx-requests"
post() {
  local out
  out="$(BENCH_BODIES="$work/$2" BENCH_THREADS=2 BENCH_CONTENT_TYPE="$3" BENCH_CONTENT_ENCODING="$4" BENCH_PAUSE_MS=0 \
    wrk -t2 -c"$connections" -d"$5" -s bench/otlp-post.lua "http://127.0.0.1:$1")"
  awk '/Requests\/sec/ {rps = $2} /requests in/ {n = $1} /Non-2xx/ {bad = $5} END {print rps, n - bad}' <<<"$out"
}
encodings=("bodies.pb application/x-protobuf -" "bodies.pb.gz application/x-protobuf gzip" "bodies.json application/json -")
names=(protobuf gzip json)
results="$work/results"
: >"$results"
for round in $(seq 0 "$rounds"); do # round 0 warms each daemon up in each encoding
  for e in 0 1 2; do
    read -r file type encoding <<<"${encodings[$e]}"
    [ "$encoding" = - ] && encoding=""
    for variant in "${variants[@]}"; do
      sink="${sink_pid[$variant]:-}"
      ticks="$(cpu_ticks "${pid[$variant]}")"
      sink_ticks="${sink:+$(cpu_ticks "$sink")}"
      duration="${seconds}s"
      [ "$round" = 0 ] && duration=3s
      read -r rps requests < <(post "${port[$variant]}" "$file" "$type" "$encoding" "$duration")
      [ -n "$sink" ] && drained "${port[$variant]}"
      [ "$round" = 0 ] && continue
      echo "${names[$e]} $variant $rps $(awk -v t="$(($(cpu_ticks "${pid[$variant]}") - ticks))" -v h="$hz" \
        -v n="$requests" 'BEGIN { print t / h * 1e6 / n }') $(if [ -n "$sink" ]; then awk -v h="$hz" -v n="$requests" \
        -v t="$(($(cpu_ticks "$sink") - sink_ticks))" 'BEGIN { print t / h * 1e6 / n }'; else echo -; fi)" \
        >>"$results"
    done
  done
done

echo "forwarding A/B: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $connections connections," \
  "$rounds rounds of ${seconds}s per encoding and variant, interleaved; medians"
printf '%-9s %-8s %10s %9s %11s %14s\n' encoding variant exports/s "of plain" CPU/export "sink CPU/export"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for name in "${names[@]}"; do
  for variant in "${variants[@]}"; do
    col() { awk -v e="$name" -v v="$variant" -v c="$1" '$1 == e && $2 == v {print $c}' "$results" | median; }
    # the ratio to plain: the median of each round's ratio, the runs of a round being next to each other in time
    ratio="$(awk -v e="$name" -v v="$variant" '$1 == e && $2 == "plain" {p[++i] = $3} $1 == e && $2 == v {r[++j] = $3}
      END { for (k = 1; k <= j; k++) print r[k] / p[k] }' "$results" | median)"
    sink_cpu="-"
    [ "$variant" != plain ] && sink_cpu="$(printf '%.0fus' "$(col 5)")"
    printf '%-9s %-8s %10.0f %9.2f %9.0fus %14s\n' "$name" "$variant" "$(col 3)" "$ratio" "$(col 4)" "$sink_cpu"
  done
done
status=0
for variant in "${variants[@]:1}"; do
  # every export the daemon answered 2xx, from its /metrics (wrk misses those in flight when it stops)
  acknowledged[$variant]="$(curl -s "http://127.0.0.1:${port[$variant]}/metrics" | awk \
    '/^claude_token_metrics_exports_total\{/ && /result="(accepted|partial)"/ { n += $2 } END { print n + 0 }')"
  read -r sink_requests sink_exports sink_bad sink_bytes < <(curl -s "http://127.0.0.1:${sink_port[$variant]}/counts")
  echo "  $variant: acknowledged ${acknowledged[$variant]}, sent $(health "${port[$variant]}" sentExports), the sink counted" \
    "$sink_exports in $sink_requests requests ($sink_bytes bytes on the wire, $sink_bad bad); dropped" \
    "$(health "${port[$variant]}" droppedExports), failed $(health "${port[$variant]}" failedExports), retries" \
    "$(health "${port[$variant]}" retries)"
  if [ "$sink_exports" != "${acknowledged[$variant]}" ] || [ "$sink_bad" != 0 ] \
    || [ "$(health "${port[$variant]}" sentExports)" != "$sink_exports" ]; then
    echo "  $variant: the sink did not receive exactly what was acknowledged" >&2
    status=1
  fi
done
exit "$status"
