#!/usr/bin/env bash
# Ledger write cost, A/B: this checkout's receiver against another checkout's (say, main before a schema change),
# interleaved round by round on the same inputs, each in a fresh JVM with the daemon's flags:
#   - import: a generated Claude Code history (TranscriptCorpus, SESSIONS x MESSAGES) imported into a new usage.db
#     through the daemon's LedgerWriter (LedgerImportBench): its in-process import time and the process's CPU;
#   - year: YEAR requests written through Ledger.record, 500 to a transaction (LedgerYear): its write time.
# Prints each round and the medians of B/A (this checkout over the other). Builds both receivers (package and
# test-compile, offline; never installs). Usage: bench/ledger-ab.sh OTHER_CHECKOUT [sessions=200] [messages=300]
#   [rounds=3] [year requests=100000, 0: skip]
set -euo pipefail
cd "$(dirname "$0")/.."
other="$(cd "${1:?usage: bench/ledger-ab.sh OTHER_CHECKOUT [sessions] [messages] [rounds] [year]}" && pwd)"
sessions="${2:-200}"
messages="${3:-300}"
rounds="${4:-3}"
year="${5:-100000}"

for checkout in "$other" "$PWD"; do
  (cd "$checkout" && mvn -q -o -B -pl receiver -am -DskipTests package && mvn -q -o -B -pl receiver -am test-compile)
done
classpath() { echo "$1/receiver/target/token-metrics-receiver.jar:$1/receiver/target/test-classes"; }
mapfile -t daemon_flags < <(sed -n '/^exec "[$]java"/,/-jar/p' scripts/token-metrics-receiver | grep -o -- '-[XD][^ ]*')
[[ ${#daemon_flags[@]} -gt 5 ]] || { echo "cannot read the daemon's JVM flags from the launcher" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/claude/projects"
java -cp "$(classpath "$PWD")" dev.tokenmetrics.receiver.transcripts.TranscriptCorpus "$work/claude/projects" \
  "$sessions" "$messages"
sync

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
import_ratio=() cpu_ratio=() year_ratio=()
for round in $(seq "$rounds"); do
  declare -A import=() cpu=() written=()
  for side in A B; do
    root="$other"
    [[ $side == B ]] && root="$PWD"
    rm -f "$work/usage.db" "$work/usage.db-wal" "$work/usage.db-shm"
    line="$(/usr/bin/time -f '%U %S' -o "$work/time" env MALLOC_ARENA_MAX=2 java "${daemon_flags[@]}" \
      -cp "$(classpath "$root")" dev.tokenmetrics.receiver.ledger.LedgerImportBench "$work/claude/projects" \
      "$work/usage.db")"
    import[$side]="$(field "$line" import_ms)"
    cpu[$side]="$(awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$work/time")"
    if [[ $year -gt 0 ]]; then
      rm -f "$work/year.db" "$work/year.db-wal" "$work/year.db-shm"
      line="$(java "${daemon_flags[@]}" -cp "$(classpath "$root")" dev.tokenmetrics.receiver.ledger.LedgerYear \
        "$work/year.db" "$year" 2>/dev/null)"
      written[$side]="$(field "$line" write_ms)"
    fi
  done
  import_ratio+=("$(echo "scale=3; ${import[B]} / ${import[A]}" | bc)")
  cpu_ratio+=("$(echo "scale=3; ${cpu[B]} / ${cpu[A]}" | bc)")
  line="round $round (load $(cut -d' ' -f1 /proc/loadavg)): import ms A ${import[A]} B ${import[B]}, process CPU ms"
  line="$line A ${cpu[A]} B ${cpu[B]}"
  if [[ $year -gt 0 ]]; then
    year_ratio+=("$(echo "scale=3; ${written[B]} / ${written[A]}" | bc)")
    line="$line, year of $year written ms A ${written[A]} B ${written[B]}"
  fi
  echo "$line"
done
echo "B/A medians: import $(median "${import_ratio[@]}"), process CPU $(median "${cpu_ratio[@]}")${year_ratio[*]:+, year \
$(median "${year_ratio[@]}")} (A: $other, B: $PWD)"
