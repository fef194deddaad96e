#!/usr/bin/env bash
# The ledger writer's CPU per request row, A/B: another build's receiver (a checkout, built here, or its jar) against
# this checkout's, interleaved round by round, each round a fresh JVM with the daemon's flags running
# LedgerWriterBench (test code: transactions of ROWS telemetry rows over 64 sessions whose metrics count more than
# their requests, as under bench/receiver-bench.sh's mixed load; see the class). CPU time of the writing thread, so
# the VM's other load moves it less than wall time. Prints each round and the median of B/A (this checkout over the
# other). Builds this checkout (package and test-compile, offline; never installs).
# Usage: bench/ledger-writer-bench.sh OTHER_CHECKOUT_OR_JAR [rounds=5] [transactions=400] [rows=35]
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: bench/ledger-writer-bench.sh OTHER_CHECKOUT_OR_JAR [rounds] [transactions] [rows]"
other="${1:?$usage}"
rounds="${2:-5}"
transactions="${3:-400}"
rows="${4:-35}"

mvn -q -o -B -pl receiver -am -DskipTests package
mvn -q -o -B -pl receiver -am test-compile
if [[ $other == *.jar ]]; then
  other_jar="$(realpath "$other")"
else
  (cd "$other" && mvn -q -o -B -pl receiver -am -DskipTests package)
  other_jar="$(cd "$other" && pwd)/receiver/target/token-metrics-receiver.jar"
fi
# the bench class is this checkout's; the ledger's classes come first from the side's jar
classpath() { echo "$1:$PWD/receiver/target/test-classes"; }
mapfile -t daemon_flags < <(sed -n '/^exec "[$]java"/,/-jar/p' scripts/token-metrics-receiver | grep -o -- '-[XD][^ ]*')
[[ ${#daemon_flags[@]} -gt 5 ]] || { echo "cannot read the daemon's JVM flags from the launcher" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratios=() a_all=() b_all=()
for round in $(seq "$rounds"); do
  declare -A per_row=()
  for side in A B; do
    jar="$other_jar"
    [[ $side == B ]] && jar="$PWD/receiver/target/token-metrics-receiver.jar"
    rm -rf "$work/db"
    line="$(MALLOC_ARENA_MAX=2 java "${daemon_flags[@]}" -cp "$(classpath "$jar")" \
      dev.tokenmetrics.receiver.ledger.LedgerWriterBench "$work/db" "$transactions" "$rows" 2>/dev/null)"
    per_row[$side]="$(field "$line" cpu_us_per_row)"
  done
  a_all+=("${per_row[A]}")
  b_all+=("${per_row[B]}")
  ratios+=("$(echo "scale=3; ${per_row[B]} / ${per_row[A]}" | bc)")
  echo "round $round (load $(cut -d' ' -f1 /proc/loadavg)): writer CPU per row A ${per_row[A]} µs, B ${per_row[B]} µs"
done
echo "medians ($rounds rounds, $transactions transactions of $rows rows): A $(median "${a_all[@]}") µs," \
  "B $(median "${b_all[@]}") µs per row; B/A $(median "${ratios[@]}")"
