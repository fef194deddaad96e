#!/usr/bin/env bash
# What a report answered by the receiver costs the receiver: the CPU time of its thread that answers
# (`dashboard-api`) and of its whole process, per answer, over ANSWERS answers back to back (after WARMUP to warm
# it), for one or more builds side by side, each under the client compiler alone (the launcher's
# -XX:TieredStopAtLevel=1) and, with JITS="c1 c2", under C2 alone (-XX:-TieredCompilation), interleaved in ROUNDS
# rounds so that a shared machine's drift falls on all of them alike.
# Usage: bench/reports-answer-cpu.sh LEDGER INSTALL... (an INSTALL is a directory with scripts/ and lib/, as
#   scripts/install.sh lays them out: a copy of a build's scripts and its two jars; "." is this checkout's build)
#   env: REPORT (default "session --json"), ANSWERS (8), WARMUP (2), ROUNDS (3), JITS ("c1 c2")
# Each receiver runs on its own copy of LEDGER (migrated in place, if its schema is older than the build's) with
# its own HOME and port, nothing to import. Prints, per round, build and compiler: ms of CPU an answer on the
# answering thread and in the process, and the wall time of an answer as curl sees it (median).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
ledger="$1"
shift
report="${REPORT:-session --json}"
answers="${ANSWERS:-8}"
warmup="${WARMUP:-2}"
rounds="${ROUNDS:-3}"
jits="${JITS:-c1 c2}"
tick="$(getconf CLK_TCK)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

query=""
for arg in $report; do query="$query&arg=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$arg")"; done

names=() ports=() homes=() receivers=()
n=0
for install in "$@"; do
  for jit in $jits; do
    n=$((n + 1))
    home="$work/home$n"
    mkdir -p "$home/.claude/token-metrics" "$work/none"
    cp "$ledger" "$home/.claude/token-metrics/usage.db"
    launcher="$work/receiver$n"
    case "$jit" in
      c1) cp "$install/scripts/token-metrics-receiver" "$launcher" ;;
      c2) sed 's/-XX:TieredStopAtLevel=1 /-XX:-TieredCompilation /' "$install/scripts/token-metrics-receiver" > "$launcher" ;;
      *) echo "reports-answer-cpu: JITS are c1 and c2" >&2; exit 2 ;;
    esac
    # the launcher finds its jar and helpers beside it
    cp "$install/scripts/token-metrics-common.sh" "$work/"
    chmod +x "$launcher"
    jar="$(cd "$install" && for j in lib/token-metrics-receiver.jar receiver/target/token-metrics-receiver.jar; do
      [ -f "$j" ] && { echo "$PWD/$j"; break; }; done)"
    [ -n "$jar" ] || { echo "reports-answer-cpu: no receiver jar in $install" >&2; exit 1; }
    sed -i "s|^jar=\"\"$|jar=\"$jar\"|" "$launcher"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    HOME="$home" CLAUDE_TOKEN_METRICS_PORT="$port" "$launcher" --transcripts "$work/none" \
      >"$work/receiver$n.log" 2>&1 &
    pids+=("$!")
    names+=("$(basename "$(cd "$install" && pwd)") $jit")
    ports+=("$port")
    homes+=("$home")
    receivers+=("$!")
  done
done

ask() { # index: one answer, its wall time in ms on stdout
  curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:${ports[$1]}/api/v1/cli?home=${homes[$1]}$query"
}
# the answering thread's and the process's CPU ticks
ticks() {
  local pid="$1" thread=0 task
  for task in /proc/"$pid"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in dashboard-api*)
      thread=$((thread + $(awk '{print $14 + $15}' "$task/stat")));;
    esac
  done
  echo "$thread $(awk '{print $14 + $15}' "/proc/$pid/stat")"
}

for i in "${!names[@]}"; do # the ledger open (migrated): the API answers 200
  for _ in $(seq 1200); do
    ask "$i" >/dev/null 2>&1 && break
    sleep 0.1
  done
  ask "$i" >/dev/null || { echo "reports-answer-cpu: ${names[$i]} does not answer" >&2; cat "$work/receiver$((i + 1)).log" >&2; exit 1; }
  for _ in $(seq "$warmup"); do ask "$i" >/dev/null; done
  echo "${names[$i]}: schema $(sqlite3 "${homes[$i]}/.claude/token-metrics/usage.db" 'PRAGMA user_version'), ready"
done

echo "$report: $answers answers a round; ms of CPU an answer (answering thread / process), wall median (curl)"
printf '%-6s %-24s %10s %10s %10s\n' round receiver thread process wall
for round in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    pid="${receivers[$i]}" # the launcher execs java: its pid is the JVM's
    read -r thread0 process0 < <(ticks "$pid")
    walls="$(for _ in $(seq "$answers"); do ask "$i"; done)"
    read -r thread1 process1 < <(ticks "$pid")
    wall="$(sort -g <<<"$walls" | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) * 1000}')"
    printf '%-6s %-24s %10.0f %10.0f %10.0f\n' "$round" "${names[$i]}" \
      "$(echo "($thread1 - $thread0) * 1000 / $tick / $answers" | bc -l)" \
      "$(echo "($process1 - $process0) * 1000 / $tick / $answers" | bc -l)" "$wall"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
