#!/usr/bin/env bash
# Receiver benchmark: durable exports per second and latency for a real Claude Code export in each encoding, over
# loopback with concurrent connections (wrk), the daemon's CPU time per export, and its idle RSS and wake-ups with
# the flags the launcher uses. Beside the latencies, what this machine allows at that moment, since it drifts with
# the VM's neighbours: the disk's fdatasync latency, the same load against the least a durable receiver can do
# (BenchDurableFloor: read, append, fdatasync, answer), and the same paced load against GET /health (no work).
# Each encoding: a 3 s warm-up, then three measured runs; medians are reported, with the worst p99 beside them.
# Usage: bench/receiver-bench.sh [seconds per run, default 5] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
connections="${2:-16}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc and zlib's headers are needed: apt-get install gcc zlib1g-dev" >&2; exit 1; }

mvn -q -B -DskipTests package
mvn -q -B -pl receiver -am test-compile
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
work="$(mktemp -d)"
# Under set -e a failing command would end the trap early: a JVM stopped by TERM exits 143.
cleanup() {
  kill ${pid:-} ${floor_pid:-} ${forwarding_pid:+"$forwarding_pid"} ${upstream_pid:+"$upstream_pid"} 2>/dev/null || true
  wait ${pid:-} ${floor_pid:-} ${forwarding_pid:+"$forwarding_pid"} ${upstream_pid:+"$upstream_pid"} 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# Every measured run sends bodies no run sent the same daemon before (a body sent again is a retry, which the
# daemon finds counted already: cheaper than new usage). A row's warm-up and three runs each take their own range of
# the file, sized for up to $most exports/s (a daemon's run that runs out says so; the durable minimum, which only
# appends a body, may run out silently); the mixed load's warm-up and runs take ranges of bodies.pb after the
# protobuf row's for their metrics, and as many logs bodies each. The paced rows send the protobuf row's bodies again:
# they measure latency at a rate, not CPU.
most=12000
warm_bodies=$((3 * most))
row_bodies=$((warm_bodies + 3 * seconds * most))
mixed_bodies=$((seconds * most / 2)) # each client's, a run
java -cp "$classpath" dev.tokenmetrics.receiver.BenchPayloads "$work" "$row_bodies" $((4 * mixed_bodies)) \
  $((row_bodies + 4 * mixed_bodies))
# Write the payloads (2.7 GB at 5 s runs) back now: the kernel would do it ~30 s later, mid-run, and every fsync of the
# journal would queue behind it (seen as 130-280 ms stalls before this line).
sync

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Every daemon here runs as a user's does after its first: with the start-up archive that one recorded.
export XDG_CACHE_HOME="$work/cache"
bench/record-start-up-archive.sh scripts/token-metrics-receiver "$work"
port="$(free_port)"
mkdir -p "$work/home"
HOME="$work/home" scripts/token-metrics-receiver --port "$port" >"$work/daemon.out" 2>&1 &
pid=$!
# up PORT LOG: waits until the server at PORT answers HTTP, else shows its log and ends the benchmark
up() {
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return; sleep 0.1; done
  { echo "the server on port $1 did not start:"; cat "$2"; } >&2
  exit 1
}
up "$port" "$work/daemon.out"
sleep 5
rss_idle="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
read -r disk_p50 disk_p99 < <(java -cp "$classpath" dev.tokenmetrics.receiver.BenchDisk \
  "$work/home/.claude/token-metrics" 3)
# The floor server runs with the launcher's collector and compiler settings, in its own directory on the same disk.
floor_port="$(free_port)"
java -XX:+UseSerialGC -Xmn2m -XX:TieredStopAtLevel=1 -Dio.netty.allocator.type=unpooled -cp "$classpath" \
  dev.tokenmetrics.receiver.store.BenchDurableFloor "$floor_port" "$work/floor" >"$work/floor.out" 2>&1 &
floor_pid=$!
up "$floor_port" "$work/floor.out"

echo "receiver benchmark: $(nproc) cores, wrk 2 threads, $connections connections, 3 x ${seconds}s per encoding"
echo "disk, 1 KB write + fdatasync in the state directory: p50 ${disk_p50}ms, p99 ${disk_p99}ms"
printf '%-26s %10s %9s %9s %11s %11s %7s\n' "load" "exports/s" "p50" "p99" "worst p99" "CPU/export" "errors"

# wrk_run PORT BODIES TYPE ENCODING PAUSE_MS DURATION [FIRST COUNT]: BODIES empty means GET /health; PAUSE_MS 0
# means flat out; FIRST and COUNT, the bodies the run sends (default all, from the first).
wrk_run() {
  BENCH_BODIES="${2:+$work/$2}" BENCH_THREADS=2 BENCH_CONTENT_TYPE="$3" BENCH_CONTENT_ENCODING="$4" \
    BENCH_PAUSE_MS="$5" BENCH_FIRST="${7:-0}" BENCH_COUNT="${8:-0}" wrk -t2 -c"$connections" -d"$6" --latency \
    -s bench/otlp-post.lua "http://127.0.0.1:$1"
}
median() { sort -g | sed -n 2p; }
ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f\n", v }'; }
latency() { awk -v q="$1" '$1 == q {print $2}' | ms; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # a process's user + system time
hz="$(getconf CLK_TCK)"

# run LABEL PORT PID BODIES TYPE ENCODING: flat out, a warm-up and three measured runs.
run() {
  local label="$1" at="$2" server="$3" file="$4" type="$5" encoding="$6" out rps="" p50="" p99="" errors=0 \
    requests=0 ticks
  out="$(wrk_run "$at" "$file" "$type" "$encoding" 0 3s 0 "$warm_bodies")"
  [ "$server" = "$floor_pid" ] || grep -h "bodies ran out" <<<"$out" || true
  ticks="$(cpu_ticks "$server")"
  for first in "$warm_bodies" $((warm_bodies + seconds * most)) $((warm_bodies + 2 * seconds * most)); do
    out="$(wrk_run "$at" "$file" "$type" "$encoding" 0 "${seconds}s" "$first" $((seconds * most)))"
    [ "$server" = "$floor_pid" ] || grep -h "bodies ran out" <<<"$out" || true
    rps+="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"$'\n'
    p50+="$(latency 50% <<<"$out")"$'\n'
    p99+="$(latency 99% <<<"$out")"$'\n'
    requests=$((requests + $(awk '/requests in/ {print $1}' <<<"$out")))
    errors=$((errors + $(awk '/Non-2xx/ {print $5}' <<<"$out" | grep . || echo 0)))
  done
  ticks=$(($(cpu_ticks "$server") - ticks))
  printf '%-26s %10.0f %7sms %7sms %9sms %9.0fus %7s\n' "$label" "$(median <<<"$rps")" "$(median <<<"$p50")" \
    "$(median <<<"$p99")" "$(sort -g <<<"$p99" | tail -1)" "$(awk -v t="$ticks" -v h="$hz" -v n="$requests" \
    'BEGIN { print t / h * 1e6 / n }')" "$errors"
}
run "http/protobuf" "$port" "$pid" bodies.pb application/x-protobuf ""
run "  floor: durable minimum" "$floor_port" "$floor_pid" bodies.pb application/x-protobuf ""
run "http/protobuf + gzip" "$port" "$pid" bodies.pb.gz application/x-protobuf gzip
sleep 70 # idle: what a Claude Code user (protobuf, its default) sees, the heap given back (a minute quiet: HeapTrim)
rss_protobuf="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
run "http/json" "$port" "$pid" bodies.json application/json ""

# Logs and metrics mixed, as Claude Code sends them (a metrics and a logs export every interval; each logs export
# carries an api_request event, a ledger row): two clients at once, half the connections each, a 3 s warm-up and
# three runs.
# mixed_run RUN DURATION: the metrics and logs clients at once (run 0 the warm-up), each on its own range of bodies
mixed_run() {
  local metrics_client
  BENCH_BODIES="$work/bodies.pb" BENCH_FIRST=$((row_bodies + $1 * mixed_bodies)) \
    BENCH_COUNT="$mixed_bodies" BENCH_THREADS=1 BENCH_CONTENT_TYPE=application/x-protobuf BENCH_PAUSE_MS=0 \
    wrk -t1 -c$((connections / 2)) -d"$2" --latency -s bench/otlp-post.lua "http://127.0.0.1:$port" \
    >"$work/mixed-metrics.out" &
  metrics_client=$!
  BENCH_BODIES="$work/logs.pb" BENCH_FIRST=$(($1 * mixed_bodies)) BENCH_COUNT="$mixed_bodies" BENCH_PATH=/v1/logs \
    BENCH_THREADS=1 BENCH_CONTENT_TYPE=application/x-protobuf \
    BENCH_PAUSE_MS=0 wrk -t1 -c$((connections / 2)) -d"$2" --latency -s bench/otlp-post.lua \
    "http://127.0.0.1:$port" >"$work/mixed-logs.out"
  wait "$metrics_client"
  grep -h "bodies ran out" "$work/mixed-metrics.out" "$work/mixed-logs.out" || true
}
mixed() {
  local rps="" p99="" requests=0 ticks out_metrics out_logs
  mixed_run 0 3s
  ticks="$(cpu_ticks "$pid")"
  for run in 1 2 3; do
    mixed_run "$run" "${seconds}s"
    out_metrics="$(cat "$work/mixed-metrics.out")"
    out_logs="$(cat "$work/mixed-logs.out")"
    rps+="$(awk '/Requests\/sec/ {s += $2} END {print s}' "$work/mixed-metrics.out" "$work/mixed-logs.out")"$'\n'
    p99+="$( { latency 99% <<<"$out_metrics"; latency 99% <<<"$out_logs"; } | sort -g | tail -1)"$'\n'
    requests=$((requests + $(awk '/requests in/ {s += $1} END {print s}' "$work/mixed-metrics.out" \
      "$work/mixed-logs.out")))
  done
  ticks=$(($(cpu_ticks "$pid") - ticks))
  printf '%-26s %10.0f %9s %7sms %11s %9.0fus\n' "logs + metrics, protobuf" "$(median <<<"$rps")" "" \
    "$(median <<<"$p99")" "" "$(awk -v t="$ticks" -v h="$hz" -v n="$requests" 'BEGIN { print t / h * 1e6 / n }')"
}
mixed
rows="$(sqlite3 "$work/home/.claude/token-metrics/usage.db" 'SELECT count(*) FROM requests' 2>/dev/null || echo '?')"
echo "  (the ledger holds $rows rows so far: one per api_request event acknowledged, written behind the acknowledgements)"

# Forwarding on (docs/FORWARDING.md): a second daemon forwards everything it acknowledges to a third, the upstream,
# on loopback, all three on these two cores. The local acknowledgement never waits for the upstream: the rows say
# what forwarding's queue write costs the durable path (target: at least 5,000 exports/s per encoding).
upstream_port="$(free_port)"
forwarding_port="$(free_port)"
mkdir -p "$work/upstream" "$work/forwarding"
HOME="$work/upstream" scripts/token-metrics-receiver --port "$upstream_port" >"$work/upstream.out" 2>&1 &
upstream_pid=$!
HOME="$work/forwarding" scripts/token-metrics-receiver --port "$forwarding_port" \
  --forward-endpoint "http://127.0.0.1:$upstream_port" >"$work/forwarding.out" 2>&1 &
forwarding_pid=$!
up "$upstream_port" "$work/upstream.out"
up "$forwarding_port" "$work/forwarding.out"
run "http/protobuf, forwarding" "$forwarding_port" "$forwarding_pid" bodies.pb application/x-protobuf ""
run "protobuf + gzip, forwarding" "$forwarding_port" "$forwarding_pid" bodies.pb.gz application/x-protobuf gzip
run "http/json, forwarding" "$forwarding_port" "$forwarding_pid" bodies.json application/json ""
# forwarded FIELD: a number from the forwarding daemon's /health
forwarded() { curl -s "http://127.0.0.1:$forwarding_port/health" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
queued_at_end="$(forwarded queuedExports)"
for _ in $(seq 600); do [ "$(forwarded queuedExports)" = 0 ] && break; sleep 0.1; done
echo "  (forwarding: $queued_at_end exports still queued when the load ended; $(forwarded sentExports) sent," \
  "$(forwarded queuedExports) queued, $(forwarded droppedExports) dropped, $(forwarded retries) retries after up to 60 s more)"
kill "$forwarding_pid" "$upstream_pid"
wait "$forwarding_pid" "$upstream_pid" 2>/dev/null || true
unset forwarding_pid upstream_pid # stopped: the exit trap must not signal their ids again

# The same with the upstream on another machine, as a team runs it: a minimal OTLP/HTTP sink (bench/otlp-sink.c:
# inflates each request, walks its top-level fields to count the exports, answers 200; a few µs of CPU per export)
# stands in for the collector, so the rows show the forwarding daemon's own cost; the sink's CPU is printed apart.
# Then the sink must hold exactly what the daemon acknowledged and sent.
sink_port="$(free_port)"
forwarding_port="$(free_port)"
mkdir -p "$work/forwarding-sink"
gcc -O2 -o "$work/otlp-sink" bench/otlp-sink.c -lz
"$work/otlp-sink" "$sink_port" >"$work/sink.out" 2>&1 &
upstream_pid=$!
HOME="$work/forwarding-sink" scripts/token-metrics-receiver --port "$forwarding_port" \
  --forward-endpoint "http://127.0.0.1:$sink_port" >"$work/forwarding-sink.out" 2>&1 &
forwarding_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$sink_port/counts" && break; sleep 0.1; done
up "$forwarding_port" "$work/forwarding-sink.out"
# sink_count: the exports the sink has counted so far
sink_count() { curl -s "http://127.0.0.1:$sink_port/counts" | cut -d' ' -f2; }
# to_sink LABEL BODIES TYPE ENCODING: a forwarding row, then the sink's CPU per export it counted (warm-up included)
to_sink() {
  local sink_ticks sink_exports
  sink_ticks="$(cpu_ticks "$upstream_pid")"
  sink_exports="$(sink_count)"
  run "$1" "$forwarding_port" "$forwarding_pid" "$2" "$3" "$4"
  for _ in $(seq 600); do [ "$(forwarded queuedExports)" = 0 ] && break; sleep 0.1; done
  printf '%-26s %52.1fus\n' "  the sink (another machine)" "$(awk -v t="$(($(cpu_ticks "$upstream_pid") - sink_ticks))" \
    -v h="$hz" -v n="$(($(sink_count) - sink_exports))" 'BEGIN { print t / h * 1e6 / n }')"
}
to_sink "http/protobuf, fwd to sink" bodies.pb application/x-protobuf ""
to_sink "protobuf + gzip, fwd to sink" bodies.pb.gz application/x-protobuf gzip
to_sink "http/json, fwd to sink" bodies.json application/json ""
acknowledged="$(curl -s "http://127.0.0.1:$forwarding_port/metrics" | awk \
  '/^claude_token_metrics_exports_total\{/ && /result="(accepted|partial)"/ { n += $2 } END { print n + 0 }')"
read -r sink_requests sink_exports sink_bad _ < <(curl -s "http://127.0.0.1:$sink_port/counts")
sent="$(forwarded sentExports)"
echo "  (forwarding to the sink: $acknowledged exports acknowledged, $sent sent, the sink counted" \
  "$sink_exports in $sink_requests requests, $sink_bad bad: $( [ "$sink_exports" = "$acknowledged" ] \
  && [ "$sent" = "$acknowledged" ] && [ "$sink_bad" = 0 ] && echo exactly what was acknowledged \
  || echo NOT what was acknowledged))"
kill "$forwarding_pid" "$upstream_pid"
wait "$forwarding_pid" "$upstream_pid" 2>/dev/null || true
unset forwarding_pid upstream_pid

# Below saturation, the latency a client sees at a given rate: each connection pauses between a response and its
# next request, the pause calibrated in short runs so that the 16 connections together offer at least the target
# rate (hey, the Debian tool that paces by rate, saturates these two cores by itself at 16 connections). Each export
# row is followed by the same paced load against the durable minimum and against GET /health: client, loopback and
# scheduler with no work behind them.
# paced LABEL PORT BODIES RATE
paced() {
  local label="$1" at="$2" file="$3" rate="$4" aim pause achieved out
  aim="$(awk -v r="$rate" 'BEGIN { print r * 1.03 }')" # wrk pauses in whole milliseconds: aim a little above
  pause="$(awk -v c="$connections" -v r="$aim" 'BEGIN { p = c * 1000 / r - 1; print (p < 0 ? 0 : p) }')"
  for _ in 1 2 3 4; do
    achieved="$(wrk_run "$at" "$file" application/x-protobuf "" "$pause" 2s 0 "$((seconds * most))" \
      | awk '/Requests\/sec/ {print $2}')"
    if awk -v a="$achieved" -v r="$rate" 'BEGIN { exit !(a >= r && a < 1.06 * r) }'; then
      break
    fi
    # one connection's cycle is its latency plus its pause: move the pause by the gap between the two cycles
    pause="$(awk -v c="$connections" -v r="$aim" -v a="$achieved" -v p="$pause" \
      'BEGIN { p += c * 1000 / r - c * 1000 / a; print (p < 0 ? 0 : p) }')"
  done
  out="$(wrk_run "$at" "$file" application/x-protobuf "" "$pause" "${seconds}s" 0 "$((seconds * most))")"
  last_p99="$(latency 99% <<<"$out")"
  printf '%-26s %10.0f %7sms %7sms   (paced for %s/s: each connection pauses %.1f ms)\n' "$label" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(latency 50% <<<"$out")" "$(latency 99% <<<"$out")" \
    "$rate" "$pause"
}
for rate in 1000 3000 5000; do
  paced "http/protobuf, paced" "$port" bodies.pb "$rate"
  daemon_p99="$last_p99"
  paced "  floor: durable minimum" "$floor_port" bodies.pb "$rate"
  echo "  p99 daemon / durable minimum at ${rate}/s: $(awk -v d="$daemon_p99" -v f="$last_p99" \
    'BEGIN { printf "%.2f", d / f }') (target at 5000/s: at most 1.25)"
  paced "  floor: GET /health" "$port" "" "$rate"
done

sleep 70 # the heap given back after a minute quiet
rss_after="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
echo "idle RSS (MiB): $(awk -v a="$rss_idle" -v p="$rss_protobuf" -v b="$rss_after" 'BEGIN {
  printf "%.1f after start, %.1f after the protobuf load, %.1f after every load", a / 1024, p / 1024, b / 1024 }')"
# How often the idle daemon's threads wake (each voluntary context switch is a sleep ended): a laptop's battery.
wakeups() { cat /proc/"$pid"/task/*/status | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n }'; }
before="$(wakeups)"
sleep 20
echo "idle wake-ups: $(awk -v a="$before" -v b="$(wakeups)" 'BEGIN { printf "%.1f", (b - a) / 20 }') per second"
sessions="$(curl -s "http://127.0.0.1:$port/health" | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p')"
echo "sessions tracked: $sessions; journal fsync'd before every 200"
