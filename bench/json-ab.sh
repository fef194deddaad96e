#!/usr/bin/env bash
# JSON against protobuf on one daemon, two builds interleaved: where JSON's extra CPU per export goes, by thread.
# Each daemon runs with the launcher's flags (scripts/token-metrics-receiver, its jar swapped), is warmed up with both
# encodings, then runs rounds of protobuf then JSON flat out (receiver-bench.sh's bodies, wrk 2 threads, 16
# connections); the daemons of the two builds alternate, pair after pair, so that the machine's drift falls on both.
# Per round it prints CPU per export per thread (/proc/<pid>/task/*/stat); at the end, per build, the medians of
# JSON's excess over protobuf in the same daemon and of their ratio, then B against A per encoding (the whole process
# and the event loops): compare ratios, not absolutes, on a busy machine.
# Usage: bench/json-ab.sh JAR_A JAR_B [pairs, default 3] [seconds per run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/json-ab.sh JAR_A JAR_B [pairs] [seconds]" >&2; exit 2; }
jars=("$(realpath "$1")" "$(realpath "$2")")
pairs="${3:-3}"
seconds="${4:-5}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

mvn -q -o -B -pl receiver -am test-compile
work="$(mktemp -d)"
cleanup() {
  if [ -n "${pid:-}" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
java -cp "${jars[0]}:receiver/target/test-classes" dev.tokenmetrics.receiver.BenchPayloads "$work" 20000
sync

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# load PORT BODIES TYPE DURATION: prints the number of requests answered
load() {
  BENCH_BODIES="$work/$2" BENCH_THREADS=2 BENCH_CONTENT_TYPE="$3" BENCH_PAUSE_MS=0 \
    wrk -t2 -c16 -d"$4" -s bench/otlp-post.lua "http://127.0.0.1:$1" | awk '/requests in/ {print $1}'
}
# thread ticks, one line per thread: tid ticks name (name without Netty's numbering)
ticks() {
  for task in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${task##*/}" "$(awk '{print $14 + $15}' "$task/stat")" "$(tr ' ' _ <"$task/comm")"
  done | LC_ALL=C sort
}

# Each build laid out as an install: the launcher (and the script it sources) in bin/, the jar in lib/.
for build in 0 1; do
  label=$([ "$build" = 0 ] && echo A || echo B)
  mkdir -p "$work/$label/bin" "$work/$label/lib"
  cp scripts/token-metrics-receiver scripts/token-metrics-common.sh "$work/$label/bin/"
  cp "${jars[$build]}" "$work/$label/lib/token-metrics-receiver.jar"
done

printf '%-4s %-5s %-8s %9s %10s  %s\n' build round encoding exports/s CPU/export "by thread, µs per export"
for pair in $(seq "$pairs"); do
  for build in 0 1; do
    label=$([ "$build" = 0 ] && echo A || echo B)
    home="$work/home-$pair-$label"
    mkdir -p "$home"
    port="$(free_port)"
    HOME="$home" "$work/$label/bin/token-metrics-receiver" --port "$port" >"$work/daemon.out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
    load "$port" bodies.pb application/x-protobuf 6s >/dev/null
    load "$port" bodies.json application/json 6s >/dev/null
    load "$port" bodies.pb application/x-protobuf 3s >/dev/null
    for round in 1 2; do
      for encoding in protobuf json; do
        if [ "$encoding" = protobuf ]; then file=bodies.pb type=application/x-protobuf; else file=bodies.json type=application/json; fi
        ticks "$pid" >"$work/before"
        exports="$(load "$port" "$file" "$type" "${seconds}s")"
        ticks "$pid" >"$work/after"
        LC_ALL=C join "$work/before" "$work/after" | awk -v b="$label" -v r="$pair.$round" -v e="$encoding" -v n="$exports" \
          -v s="$seconds" -v hz="$(getconf CLK_TCK)" '
          { name = $3; sub(/-[0-9]+(-[0-9]+)?$/, "", name); t[name] += $4 - $2; all += $4 - $2 }
          END {
            printf "%-4s %-5s %-8s %9.0f %8.0fus ", b, r, e, n / s, all / hz * 1e6 / n
            for (k in t) if (t[k] / hz * 1e6 / n >= 3) printf " %s=%.0f", k, t[k] / hz * 1e6 / n
            printf "\n"
          }' | tee -a "$work/rounds"
      done
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
  done
done

echo "medians over the rounds, µs per export (A: $1, B: $2):"
python3 - "$work/rounds" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    words = line.split()
    build, round_, encoding = words[0], words[1], words[2]
    figures = {"process": float(words[4].rstrip("us"))}
    figures.update((k, float(v)) for k, v in (w.split("=") for w in words[5:]))
    rows.setdefault(build, {}).setdefault(round_, {})[encoding] = figures
for build, rounds in rows.items():
    pairs = [r for r in rounds.values() if "protobuf" in r and "json" in r]
    ratios = [r["json"]["process"] / r["protobuf"]["process"] for r in pairs]
    print(f"{build}: JSON / protobuf {statistics.median(ratios):.2f} (rounds {' '.join(f'{x:.2f}' for x in ratios)})")
    for name in sorted({k for r in pairs for e in r.values() for k in e}, key=lambda k: k != "process"):
        p = statistics.median(r["protobuf"].get(name, 0) for r in pairs)
        j = statistics.median(r["json"].get(name, 0) for r in pairs)
        d = statistics.median(r["json"].get(name, 0) - r["protobuf"].get(name, 0) for r in pairs)
        print(f"   {name:<18} protobuf {p:5.0f}  JSON {j:5.0f}  JSON - protobuf {d:+5.0f}")
if {"A", "B"} <= rows.keys():
    print("B against A, medians over the rounds, µs per export (ratio B / A):")
    for encoding in ("protobuf", "json"):
        for name in ("process", "otlp-http"):
            a, b = (statistics.median(r[encoding].get(name, 0) for r in rows[x].values() if encoding in r)
                    for x in ("A", "B"))
            print(f"   {encoding:<8} {name:<10} A {a:5.0f}  B {b:5.0f}  {b / a:.3f}")
EOF
