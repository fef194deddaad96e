#!/usr/bin/env bash
# Pricing benchmark: what pricing adds to the ledger writer's thread, on a generated ledger of N rows (a fifth of them
# telemetry with Claude Code's costs, the rest transcript rows; ten models, two of them in no price table). Reports,
# as medians of 3 fresh JVMs, wall and CPU time (the writer thread's; SQLite runs on it) of:
#   - floor: one full scan of the table (count(*) of the rows re-pricing looks at);
#   - the first update ever (learn from every telemetry row, price every transcript row: one UPDATE);
#   - an update when nothing changed (what every import pays);
#   - an update when one model's prices are learned (its rows written);
#   - the first update after a restart with the prices unchanged (learn again, look at every row, write none),
#     and of that, the learning alone.
# Usage: bench/pricing-bench.sh [rows, default 300000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-300000}"

mvn -q -o -B -pl receiver -am -DskipTests package
mvn -q -o -B -pl receiver -am test-compile
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
names=(floor_scan first_update unchanged_update one_model_update restart_update learning_alone)
declare -A wall cpu
for run in 1 2 3; do
  line="$(java -cp "$classpath" dev.tokenmetrics.receiver.ledger.PricingBench "$work/$run" "$rows" 2>/dev/null)"
  rm -rf "${work:?}/$run"
  for name in "${names[@]}"; do
    value="$(field "$line" "$name")"
    wall[$name]+="${value%/*} "
    cpu[$name]+="${value#*/} "
  done
done

m() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
ratio() { LC_ALL=C printf '%.1f' "$(echo "scale=3; $1 / $2" | bc)"; }
floor_wall="$(m "${wall[floor_scan]}")"
floor_cpu="$(m "${cpu[floor_scan]}")"
echo
echo "pricing benchmark: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "ledger: $(field "$line" rows) rows, $(field "$line" repriceable) transcript rows not exact;" \
  "after the run: $(field "$line" transcript_costs)"
printf '%-58s %10s %10s %9s %9s\n' "median of 3" "wall ms" "cpu ms" "x floor" "cpu x"
for name in "${names[@]}"; do
  w="$(m "${wall[$name]}")"
  c="$(m "${cpu[$name]}")"
  printf '%-58s %10s %10s %9s %9s\n' "$name" "$w" "$c" "$(ratio "$w" "$floor_wall")" "$(ratio "$c" "$floor_cpu")"
done
