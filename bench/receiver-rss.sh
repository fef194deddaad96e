#!/usr/bin/env bash
# Idle RSS of the receiver daemon after start, after a protobuf load and after every load, with the launcher's flags
# and with variants of them, in interleaved rounds (RSS varies by 1-2 MiB from run to run: medians). A variant is a
# sed expression applied to a copy of scripts/token-metrics-receiver, e.g. 's/-Xmn4m/-Xmn2m/'. Each daemon, in its
# own state directory, gets the loads of bench/receiver-bench.sh, flat out (wrk, 16 connections): protobuf (3 s
# warm-up, 5 s measured: exports/s and the daemon's CPU per export), protobuf + gzip, then 70 s idle (RSS "after
# protobuf"); JSON (5 s measured, as protobuf), logs and metrics mixed, then 70 s idle (RSS "after every load"):
# the daemon gives its heap back once quiet for a minute. Each launcher's start-up archive is recorded first, as a
# user's first daemon records it.
# Needs wrk.
# Usage: bench/receiver-rss.sh [rounds, default 3] [sed expression...]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shift || true
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

mvn -q -B -pl receiver -am -DskipTests package # the jar, and the test classes that write the payloads
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
work="$(mktemp -d)"
cleanup() {
  kill ${pid:+"$pid"} 2>/dev/null || true
  wait ${pid:+"$pid"} 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
java -cp "$classpath" dev.tokenmetrics.receiver.BenchPayloads "$work" 20000
sync # the payloads written back now, not during a run

# Each variant: a copy of the launcher beside a link to the built jar (the launcher finds it relative to itself).
launchers=("$PWD/scripts/token-metrics-receiver")
names=("launcher")
for expression in "$@"; do
  dir="$work/variant${#launchers[@]}"
  mkdir -p "$dir/scripts"
  ln -s "$PWD/receiver" "$dir/receiver"
  cp scripts/token-metrics-common.sh "$dir/scripts/"
  sed "$expression" scripts/token-metrics-receiver >"$dir/scripts/token-metrics-receiver"
  chmod +x "$dir/scripts/token-metrics-receiver"
  if cmp -s scripts/token-metrics-receiver "$dir/scripts/token-metrics-receiver"; then
    echo "the variant $expression changes nothing in the launcher" >&2
    exit 1
  fi
  launchers+=("$dir/scripts/token-metrics-receiver")
  names+=("$expression")
done

# What a user's daemon runs with after its first: the start-up archive that one recorded as it stopped
# (scripts/token-metrics-receiver), recorded here first for each launcher.
export XDG_CACHE_HOME="$work/cache"
for launcher in "${launchers[@]}"; do
  bench/record-start-up-archive.sh "$launcher" "$work"
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss() { awk '/VmRSS/ { printf "%.1f\n", $2 / 1024 }' "/proc/$pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz="$(getconf CLK_TCK)"
# load PATH BODIES TYPE ENCODING SECONDS CONNECTIONS THREADS
load() {
  BENCH_BODIES="$work/$2" BENCH_PATH="$1" BENCH_THREADS="$7" BENCH_CONTENT_TYPE="$3" BENCH_CONTENT_ENCODING="$4" \
    BENCH_PAUSE_MS=0 wrk -t"$7" -c"$6" -d"$5s" --latency -s bench/otlp-post.lua "http://127.0.0.1:$port"
}

# measure LAUNCHER: prints "start after-protobuf after-every-load exports/s CPU-µs-per-export" for protobuf, then
# the same two for JSON
# rate_and_cpu TICKS_BEFORE WRK_OUTPUT: exports/s and the daemon's CPU µs per export over that wrk run
rate_and_cpu() {
  awk -v t="$(($(cpu_ticks) - $1))" -v h="$hz" '/Requests\/sec/ {r = $2} /requests in/ {n = $1}
    END {printf "%.0f %.0f", r, t / h * 1e6 / n}' <<<"$2"
}
measure() {
  port="$(free_port)"
  rm -rf "${work:?}/home"
  mkdir -p "$work/home"
  HOME="$work/home" "$1" --port "$port" >"$work/daemon.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
  sleep 5
  local start after_protobuf after_all out ticks protobuf json
  start="$(rss)"
  load /v1/metrics bodies.pb application/x-protobuf "" 3 16 2 >/dev/null
  ticks="$(cpu_ticks)"
  out="$(load /v1/metrics bodies.pb application/x-protobuf "" 5 16 2)"
  protobuf="$(rate_and_cpu "$ticks" "$out")"
  load /v1/metrics bodies.pb.gz application/x-protobuf gzip 5 16 2 >/dev/null
  sleep 70 # the heap given back after a minute quiet (HeapTrim)
  after_protobuf="$(rss)"
  ticks="$(cpu_ticks)"
  out="$(load /v1/metrics bodies.json application/json "" 5 16 2)"
  json="$(rate_and_cpu "$ticks" "$out")"
  load /v1/metrics bodies.pb application/x-protobuf "" 5 8 1 >/dev/null &
  load /v1/logs logs.pb application/x-protobuf "" 5 8 1 >/dev/null
  wait $!
  sleep 70
  after_all="$(rss)"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  unset pid
  echo "$start $after_protobuf $after_all $protobuf $json"
}

echo "receiver idle RSS: $rounds interleaved rounds; load average $(cut -d' ' -f1-3 /proc/loadavg) before"
for round in $(seq "$rounds"); do
  for i in "${!launchers[@]}"; do
    echo "$i $(measure "${launchers[$i]}")" >>"$work/results"
    echo "  round $round, ${names[$i]}: $(tail -1 "$work/results" | cut -d' ' -f2-)" >&2
  done
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
printf '%-40s %8s %14s %17s %22s %22s\n' "flags" "start" "after protobuf" "after every load" "protobuf: exports/s, CPU" \
  "JSON: exports/s, CPU"
for i in "${!launchers[@]}"; do
  column() { awk -v i="$i" -v c="$1" '$1 == i { print $c }' "$work/results" | median; }
  printf '%-40s %6s MiB %10s MiB %13s MiB %11s %7s µs %11s %7s µs\n' "${names[$i]}" "$(column 2)" "$(column 3)" \
    "$(column 4)" "$(column 5)" "$(column 6)" "$(column 7)" "$(column 8)"
done
echo "(medians of $rounds; load average $(cut -d' ' -f1-3 /proc/loadavg) after)"
