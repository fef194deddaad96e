#!/usr/bin/env bash
# Logs and metrics mixed, two builds interleaved: what a logs export costs beside a metrics export, by thread.
# Each daemon runs with the launcher's flags (scripts/token-metrics-receiver, its jar swapped), fresh state, is warmed
# up, then runs metrics alone flat out (receiver-bench.sh's recorded metrics export, 16 connections) and then logs and
# metrics mixed as receiver-bench.sh's "logs + metrics" row does (8 connections each: the recorded metrics export, and
# the recorded logs export of seven events, one api_request, a ledger row; 64 sessions). Every run sends bodies no
# run before it sent (new usage, new events; not retries). After each run the script waits until the ledger holds
# every api_request acknowledged and the held metric totals are written (the writer works behind the
# acknowledgements: its CPU belongs to the run), then reads each thread's CPU (/proc/<pid>/task/*/stat).
# The daemons of the two builds alternate, pair after pair, so that the machine's drift falls on both.
# Per run it prints exports/s, CPU per export and CPU per export per thread; for mixed runs also what a logs export
# costs (the run's CPU less its metrics exports at the metrics-alone run's cost per export, per logs export). At the
# end, per build, medians; and B/A of the mixed rows, median of per-pair ratios: compare ratios on a busy machine.
# Usage: bench/mixed-ab.sh JAR_A JAR_B [pairs, default 3] [seconds per run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bench/mixed-ab.sh JAR_A JAR_B [pairs] [seconds]" >&2; exit 2; }
jars=("$(realpath "$1")" "$(realpath "$2")")
pairs="${3:-3}"
seconds="${4:-5}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3" >&2; exit 1; }

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
# Bodies for a daemon's runs, each run its own range (BENCH_FIRST): metrics 0-20k warm-up, 20k-30k the mixed
# warm-up, 30k-70k metrics alone (up to 8,000/s for 5 s), 70k-90k mixed; logs 0-10k warm-up, 10k-30k mixed.
java -cp "${jars[0]}:receiver/target/test-classes" dev.tokenmetrics.receiver.BenchPayloads "$work" 90000
rm -f "$work/bodies.json" "$work/bodies.pb.gz" # not used here
sync

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# post PORT BODIES PATH CONNECTIONS FIRST DURATION: prints the number of requests answered
post() {
  BENCH_BODIES="$work/$2" BENCH_PATH="$3" BENCH_FIRST="$5" BENCH_THREADS=1 BENCH_CONTENT_TYPE=application/x-protobuf \
    BENCH_PAUSE_MS=0 wrk -t1 -c"$4" -d"$6" -s bench/otlp-post.lua "http://127.0.0.1:$1" | awk '/requests in/ {print $1}'
}
# mixed PORT METRICS_FIRST LOGS_FIRST DURATION: prints "metrics logs", the numbers answered
mixed() {
  local client
  post "$1" bodies.pb /v1/metrics 8 "$2" "$4" >"$work/mixed-metrics" &
  client=$!
  post "$1" logs.pb /v1/logs 8 "$3" "$4" >"$work/mixed-logs"
  wait "$client"
  echo "$(cat "$work/mixed-metrics") $(cat "$work/mixed-logs")"
}
# thread ticks, one line per thread: tid ticks name
ticks() {
  for task in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${task##*/}" "$(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0)" \
      "$(tr ' ' _ <"$task/comm" 2>/dev/null || echo gone)"
  done | LC_ALL=C sort
}
# caught_up HOME ROWS: waits (up to 60 s) until the ledger holds ROWS telemetry rows, then for the held metrics
caught_up() {
  local db="$1/.claude/token-metrics/usage.db"
  for _ in $(seq 600); do
    [ "$(sqlite3 "$db" "SELECT count(*) FROM requests WHERE source = 'telemetry'" 2>/dev/null || echo 0)" -ge "$2" ] && break
    sleep 0.1
  done
  sleep 1.5 # metric totals are written at most a second after they are held
}
# account BUILD PAIR KIND METRICS LOGS BEFORE AFTER: one line of figures per run
account() {
  LC_ALL=C join "$6" "$7" | awk -v b="$1" -v r="$2" -v k="$3" -v m="$4" -v l="$5" -v s="$seconds" \
    -v hz="$(getconf CLK_TCK)" '
    { name = $3; sub(/-[0-9]+(-[0-9]+)?$/, "", name); t[name] += $4 - $2; all += $4 - $2 }
    END {
      n = m + l
      printf "%-4s %-4s %-8s %9.0f %8.0fus ", b, r, k, n / s, all / hz * 1e6 / n
      for (x in t) printf " %s=%.1f", x, t[x] / hz * 1e6 / n
      printf " metrics=%d logs=%d\n", m, l
    }'
}

# Each build laid out as an install: the launcher (and the script it sources) in bin/, the jar in lib/.
for build in 0 1; do
  label=$([ "$build" = 0 ] && echo A || echo B)
  mkdir -p "$work/$label/bin" "$work/$label/lib"
  cp scripts/token-metrics-receiver scripts/token-metrics-common.sh "$work/$label/bin/"
  cp "${jars[$build]}" "$work/$label/lib/token-metrics-receiver.jar"
done

echo "mixed A/B: A $1, B $2; $pairs pairs, ${seconds}s runs; $(nproc) cores"
for pair in $(seq "$pairs"); do
  for build in 0 1; do
    label=$([ "$build" = 0 ] && echo A || echo B)
    home="$work/home-$pair-$label"
    mkdir -p "$home"
    port="$(free_port)"
    HOME="$home" "$work/$label/bin/token-metrics-receiver" --port "$port" >"$work/daemon.out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
    echo "pair $pair $label: load average $(cut -d' ' -f1-3 /proc/loadavg)"
    post "$port" bodies.pb /v1/metrics 16 0 3s >/dev/null
    read -r _ logs < <(mixed "$port" 20000 0 3s)
    caught_up "$home" "$logs"
    ticks "$pid" >"$work/before"
    exports="$(post "$port" bodies.pb /v1/metrics 16 30000 "${seconds}s")"
    caught_up "$home" "$logs"
    ticks "$pid" >"$work/after"
    account "$label" "$pair" metrics "$exports" 0 "$work/before" "$work/after" | tee -a "$work/runs"
    ticks "$pid" >"$work/before"
    read -r metrics logs_now < <(mixed "$port" 70000 10000 "${seconds}s")
    caught_up "$home" $((logs + logs_now))
    ticks "$pid" >"$work/after"
    account "$label" "$pair" mixed "$metrics" "$logs_now" "$work/before" "$work/after" | tee -a "$work/runs"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
  done
done

echo "medians over the pairs, µs of CPU per export (A: $1, B: $2):"
python3 - "$work/runs" <<'EOF'
import statistics, sys
runs = {}  # build -> pair -> kind -> figures
for line in open(sys.argv[1]):
    words = line.split()
    build, pair, kind = words[0], words[1], words[2]
    fields = dict(w.split("=") for w in words[5:])
    figures = {"rate": float(words[3]), "process": float(words[4].rstrip("us")),
               "metrics": int(fields.pop("metrics")), "logs": int(fields.pop("logs"))}
    figures["threads"] = {k: float(v) for k, v in fields.items()}
    runs.setdefault(build, {}).setdefault(pair, {})[kind] = figures

def logs_cost(pair, name=None):
    """What a logs export cost in the mixed run: its CPU less its metrics exports at the metrics-alone cost."""
    m, x = pair["metrics"], pair["mixed"]
    per_metrics = m["process"] if name is None else m["threads"].get(name, 0)
    per_mixed = x["process"] if name is None else x["threads"].get(name, 0)
    total = per_mixed * (x["metrics"] + x["logs"])
    return (total - per_metrics * x["metrics"]) / x["logs"]

med = statistics.median
complete = {b: [p for p in pairs.values() if "metrics" in p and "mixed" in p] for b, pairs in runs.items()}
for build, pairs in complete.items():
    print(f"{build}: metrics alone {med(p['metrics']['rate'] for p in pairs):,.0f}/s at "
          f"{med(p['metrics']['process'] for p in pairs):.0f} µs; mixed {med(p['mixed']['rate'] for p in pairs):,.0f}/s"
          f" at {med(p['mixed']['process'] for p in pairs):.0f} µs; a logs export {med(logs_cost(p) for p in pairs):.0f} µs")
    names = sorted({n for p in pairs for k in p.values() for n in k["threads"]})
    rows = []
    for name in names:
        a = med(p["metrics"]["threads"].get(name, 0) for p in pairs)
        x = med(p["mixed"]["threads"].get(name, 0) for p in pairs)
        l = med(logs_cost(p, name) for p in pairs)
        if max(a, x, l) >= 2:
            rows.append((l, f"   {name:<24} metrics alone {a:6.1f}  mixed {x:6.1f}  a logs export {l:6.1f}"))
    for _, row in sorted(rows, reverse=True):
        print(row)
if "A" in complete and "B" in complete:
    both = [(runs["A"][k], runs["B"][k]) for k in runs["A"] if k in runs["B"]
            and all(kind in runs[b][k] for b in "AB" for kind in ("metrics", "mixed"))]
    for what, get in (("mixed exports/s", lambda p: p["mixed"]["rate"]),
                      ("mixed CPU per export", lambda p: p["mixed"]["process"]),
                      ("a logs export's CPU", logs_cost),
                      ("metrics alone exports/s", lambda p: p["metrics"]["rate"]),
                      ("metrics alone CPU per export", lambda p: p["metrics"]["process"])):
        ratios = [get(b) / get(a) for a, b in both]
        print(f"B/A {what}: {med(ratios):.2f} (pairs {' '.join(f'{r:.2f}' for r in ratios)})")
EOF
