#!/usr/bin/env bash
# Reports answered by the receiver, through the launcher, for two or more builds side by side: each build's
# receiver on its own copy of LEDGER (its own HOME and port; migrated in place if older than the build), warmed by
# WARMUP answers (the daemon's C1 compiles a report's loops only after some answers), then in ROUNDS rounds one
# hyperfine run each (RUNS runs after 2) of: the floor (a trivial Java program, with the launcher's JVM flags) and,
# for each REPORT and build, `claude-token-metrics REPORT` through that build's launcher to /dev/null. Every
# build's answer is first compared byte for byte with the first build's.
# Usage: bench/reports-launcher-ab.sh LEDGER INSTALL... (an INSTALL is a directory with scripts/ and lib/, as
#   scripts/install.sh lays them out: a build's scripts and its two jars)
#   env: REPORTS ("session --json,daily --json"), ROUNDS (3), RUNS (10), WARMUP (15)
# Prints, per round, each command's median wall time (ms) and its ratio to that round's floor.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "reports-launcher-ab: needs hyperfine" >&2; exit 1; }
ledger="$1"
shift
IFS=, read -r -a reports <<<"${REPORTS:-session --json,daily --json}"
rounds="${ROUNDS:-3}"
runs="${RUNS:-10}"
warmup="${WARMUP:-15}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/floor" "$work/none"
cat > "$work/floor/Hello.java" <<'JAVA'
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
JAVA
javac -d "$work/floor" "$work/floor/Hello.java"
first="$(cd "$1" && pwd)"
# shellcheck source=/dev/null # scripts/token-metrics-common.sh, checked on its own
java="$(. "$first/scripts/token-metrics-common.sh" && ctm_find_java 17)"
flags="$(sed -n 's/^flags="\(-XX:TieredStopAtLevel[^"]*\)"$/\1/p' "$first/scripts/claude-token-metrics")"
[ -n "$flags" ] || { echo "reports-launcher-ab: cannot read the launcher's JVM flags" >&2; exit 1; }

names=() envs=() launchers=()
n=0
for install in "$@"; do
  install="$(cd "$install" && pwd)"
  n=$((n + 1))
  home="$work/home$n"
  mkdir -p "$home/.claude/token-metrics"
  cp "$ledger" "$home/.claude/token-metrics/usage.db"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  HOME="$home" CLAUDE_TOKEN_METRICS_PORT="$port" "$install/scripts/token-metrics-receiver" \
    --transcripts "$work/none" >"$work/receiver$n.log" 2>&1 &
  pids+=("$!")
  names+=("$(basename "$install")")
  # a JDK that is not there: were the receiver to refuse, the launcher's own JVM would fail, not be measured
  envs+=("HOME=$home CLAUDE_TOKEN_METRICS_PORT=$port XDG_CACHE_HOME=$work/cache$n CLAUDE_TOKEN_METRICS_JDK=/nonexistent")
  launchers+=("$install/scripts/claude-token-metrics")
  for _ in $(seq 1200); do # the ledger open (migrated): the pid file written, the API answering
    [ -f "$home/.claude/token-metrics/receiver.pid" ] \
      && curl -fs -o /dev/null "http://127.0.0.1:$port/api/v1/cli?home=$home&arg=--help" && break
    sleep 0.1
  done
done

for i in "${!names[@]}"; do
  for report in "${reports[@]}"; do
    # shellcheck disable=SC2086 # the report's words and the environment's assignments are words by design
    for _ in $(seq "$warmup"); do env ${envs[$i]} "${launchers[$i]}" $report >/dev/null; done
    # shellcheck disable=SC2086
    cmp <(env ${envs[0]} "${launchers[0]}" $report) <(env ${envs[$i]} "${launchers[$i]}" $report) >/dev/null \
      || { echo "reports-launcher-ab: ${names[$i]}'s $report differs from ${names[0]}'s" >&2; exit 1; }
  done
  echo "${names[$i]}: ready"
done

printf '%-6s %-34s %8s %8s\n' round command median /floor
for round in $(seq "$rounds"); do
  commands=(-n floor "$java $flags -cp $work/floor Hello")
  for report in "${reports[@]}"; do
    for i in "${!names[@]}"; do
      commands+=(-n "${names[$i]}: $report" "env ${envs[$i]} ${launchers[$i]} $report")
    done
  done
  hyperfine -N --warmup 2 --runs "$runs" --style none --export-json "$work/round.json" "${commands[@]}" >/dev/null
  python3 - "$work/round.json" "$round" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["median"]
for r in results:
    print("%-6s %-34s %8.0f %8.2f" % (sys.argv[2], r["command"], r["median"] * 1000, r["median"] / floor))
PY
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
