#!/usr/bin/env bash
# Usage ledger benchmark (docs/LEDGER.md), in one run:
#   1. First import: generates a Claude Code history (TranscriptCorpus: N sessions x M requests, several projects,
#      branches and models, streamed duplicates, tool results, subagents, api-request and cost-state records), then,
#      interleaved for R rounds on a warm page cache:
#        - floor: cat of every transcript to /dev/null;
#        - ours: a fresh JVM with the daemon's own flags (read from scripts/token-metrics-receiver) imports the
#          history into a new usage.db through the daemon's LedgerWriter (TranscriptScanner, TranscriptRows, Ledger:
#          rows written to SQLite), then re-scans the unchanged history (LedgerImportBench); the process's wall and
#          CPU time, and the in-process import and re-scan;
#        - ccusage: `ccusage daily --offline --json` (pinned, from npm, kept under ~/.cache) on the same files.
#      Checks that usage.db holds one row per generated request with the generator's exact token totals.
#   2. A year of heavy use (LedgerYear: Y requests written through Ledger.record): usage.db's size, per request,
#      by table and index, and without the indexes; and how long sqlite3 takes for daily-by-model reports.
# Prints medians with the spread (min-max) of the rounds: the machine may be shared, so compare within a run.
# Usage: bench/ledger-bench.sh [sessions=400] [messages=300] [rounds=3] [year requests=525600, 0: skip part 2]
#   ccusage: CCUSAGE=path, else ccusage@18.0.11 installed (once) into ${XDG_CACHE_HOME:-~/.cache}/claude-token-metrics-bench
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-400}"
messages="${2:-300}"
rounds="${3:-3}"
year_requests="${4:-525600}"
# 18.0.11 is the newest ccusage that runs from the npm package alone here: 19 and 20 need a per-platform native
# package (@ccusage/ccusage-linux-x64) that the registry does not serve to this machine.
ccusage_version=18.0.11
cache="${XDG_CACHE_HOME:-$HOME/.cache}/claude-token-metrics-bench"
ccusage="${CCUSAGE:-$cache/ccusage-$ccusage_version/node_modules/.bin/ccusage}"
if [[ ! -x "$ccusage" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$cache/ccusage-$ccusage_version" "ccusage@$ccusage_version"
fi

mvn -q -o -B -pl receiver -am -DskipTests package
mvn -q -o -B -pl receiver -am test-compile
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
# The JVM flags the launcher starts the daemon with (C1 only, serial GC, 256 MB heap): the import runs in the daemon.
mapfile -t daemon_flags < <(sed -n '/^exec "[$]java"/,/-jar/p' scripts/token-metrics-receiver | grep -o -- '-[XD][^ ]*')
[[ ${#daemon_flags[@]} -gt 5 ]] || { echo "cannot read the daemon's JVM flags from the launcher" >&2; exit 1; }
ours() { MALLOC_ARENA_MAX=2 java "${daemon_flags[@]}" -cp "$classpath" "$@"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
projects="$work/claude/projects"
mkdir -p "$projects"
corpus="$(java -cp "$classpath" dev.tokenmetrics.receiver.transcripts.TranscriptCorpus "$projects" "$sessions" \
  "$messages")"
echo "$corpus"
generated="$(sed -n 's/.*sessions ([0-9]* with a subagent), \([0-9]*\) requests.*/\1/p' <<<"$corpus")"
true_tokens="$(sed -n 's/.*cache write = //p' <<<"$corpus")"
bytes="$(find "$projects" -name '*.jsonl' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)"
files="$(find "$projects" -name '*.jsonl' | wc -l)"
sync

now_ns() { date +%s%N; }
ms_since() { echo "scale=1; ($(now_ns) - $1) / 1000000" | bc; }
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
cpu_ms() { awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$1"; } # user + system seconds, from /usr/bin/time -f '%U %S'
# "median (min-max)" of the numbers given
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run_ours() {
  rm -f "$work/usage.db" "$work/usage.db-wal" "$work/usage.db-shm"
  local start line
  start="$(now_ns)"
  line="$(/usr/bin/time -f '%U %S' -o "$work/ours.time" \
    env MALLOC_ARENA_MAX=2 java "${daemon_flags[@]}" -cp "$classpath" \
    dev.tokenmetrics.receiver.ledger.LedgerImportBench "$projects" "$work/usage.db")"
  ours_wall+=("$(ms_since "$start")")
  ours_cpu+=("$(cpu_ms "$work/ours.time")")
  ours_import+=("$(field "$line" import_ms)")
  ours_rescan+=("$(field "$line" rescan_ms)")
  ours_jvm+=("$(field "$line" jvm_start_ms)")
  [[ "$(field "$line" rows)" == "$generated" ]] || { echo "usage.db rows != generated requests: $line" >&2; exit 1; }
  [[ "$(field "$line" tokens)" == "$true_tokens" ]] || { echo "token totals differ: $line" >&2; exit 1; }
  last_ours="$line"
}

run_ccusage() {
  local start
  start="$(now_ns)"
  CLAUDE_CONFIG_DIR="$work/claude" /usr/bin/time -f '%U %S' -o "$work/cc.time" \
    "$ccusage" daily --offline --json >"$work/ccusage.json"
  cc_wall+=("$(ms_since "$start")")
  cc_cpu+=("$(cpu_ms "$work/cc.time")")
}

floor=() ours_wall=() ours_cpu=() ours_import=() ours_rescan=() ours_jvm=() cc_wall=() cc_cpu=() ratio=()
loads=()
for round in $(seq "$rounds"); do
  start="$(now_ns)"
  find "$projects" -name '*.jsonl' -print0 | xargs -0 cat >/dev/null
  floor+=("$(ms_since "$start")")
  if ((round % 2)); then run_ours; run_ccusage; else run_ccusage; run_ours; fi # who goes first alternates
  ratio+=("$(echo "scale=2; ${cc_wall[-1]} / ${ours_wall[-1]}" | bc)")
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  echo "round $round: ours ${ours_wall[-1]} ms (import ${ours_import[-1]} ms), ccusage ${cc_wall[-1]} ms," \
    "load ${loads[-1]}" >&2
done

mb() { echo "scale=1; $1 / 1000000" | bc; }
echo
echo "ledger benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load during the rounds ${loads[*]}," \
  "$(java -version 2>&1 | head -1), ccusage $("$ccusage" --version 2>/dev/null | tail -1)"
echo "history: $files files, $(mb "$bytes") MB, $generated requests; usage.db after the import:" \
  "$(mb "$(field "$last_ours" db_bytes)") MB, $(field "$last_ours" rows) rows" \
  "($(field "$last_ours" exact_cost_rows) with Claude Code's exact cost), token totals equal to the generator's"
printf '%-62s %s\n' "median (min-max) of $rounds interleaved rounds, ms" ""
printf '%-62s %s\n' "floor: cat of every transcript to /dev/null" "$(stats "${floor[@]}")"
printf '%-62s %s\n' "ours: first import into usage.db, in process" "$(stats "${ours_import[@]}")"
printf '%-62s %s\n' "ours: whole process (JVM start, import, 6 re-scans, checks)" "$(stats "${ours_wall[@]}")"
printf '%-62s %s\n' "ours: of which JVM start to main" "$(stats "${ours_jvm[@]}")"
printf '%-62s %s\n' "ours: CPU time of the process (user + system)" "$(stats "${ours_cpu[@]}")"
printf '%-62s %s\n' "ours: re-scan of the unchanged history, in process" "$(stats "${ours_rescan[@]}")"
printf '%-62s %s\n' "ccusage daily --offline --json, whole process" "$(stats "${cc_wall[@]}")"
printf '%-62s %s\n' "ccusage: CPU time of the process (user + system)" "$(stats "${cc_cpu[@]}")"
echo "ccusage / ours, whole processes: per round $(stats "${ratio[@]}")," \
  "of the medians $(echo "scale=2; $(median "${cc_wall[@]}") / $(median "${ours_wall[@]}")" | bc);" \
  "CPU time $(echo "scale=2; $(median "${cc_cpu[@]}") / $(median "${ours_cpu[@]}")" | bc)"
[[ "$year_requests" -gt 0 ]] || exit 0

# A year of heavy use, written through Ledger.record into a new usage.db.
year_db="$work/year.db"
year="$(ours dev.tokenmetrics.receiver.ledger.LedgerYear "$year_db" "$year_requests")"
year_rows="$(field "$year" rows)"
sqlite3 "$year_db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
year_bytes="$(stat -c %s "$year_db")"
parts="$(sqlite3 -separator ' ' "$year_db" \
  "SELECT name, sum(pgsize) FROM dbstat GROUP BY name HAVING sum(pgsize) > 8192 ORDER BY 2 DESC")"
cp "$year_db" "$work/vacuumed.db"
sqlite3 "$work/vacuumed.db" 'VACUUM'
vacuumed_bytes="$(stat -c %s "$work/vacuumed.db")"
cp "$work/vacuumed.db" "$work/bare.db"
sqlite3 "$work/bare.db" "$(sqlite3 "$work/bare.db" \
  "SELECT group_concat('DROP INDEX ' || name, '; ') FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")"
sqlite3 "$work/bare.db" 'VACUUM'
bare_bytes="$(stat -c %s "$work/bare.db")"

# Reports as a user would run them: a new sqlite3 process each time, median of 9, beside sqlite3 doing nothing.
daily_all="SELECT date(time) AS day, model, sum(input_tokens + output_tokens + cache_read_tokens
  + cache_creation_tokens) AS tokens, sum(cost_usd) AS usd FROM requests GROUP BY day, model ORDER BY day"
# the same, the day taken from time_ms rather than from the generated ISO-8601 column
daily_epoch="SELECT date(time_ms / 1000, 'unixepoch') AS day, model, sum(input_tokens + output_tokens
  + cache_read_tokens + cache_creation_tokens) AS tokens, sum(cost_usd) AS usd FROM requests GROUP BY day, model
  ORDER BY day"
daily_month="SELECT date(time_ms / 1000, 'unixepoch') AS day, model, sum(input_tokens + output_tokens
  + cache_read_tokens + cache_creation_tokens) AS tokens, sum(cost_usd) AS usd FROM requests
  WHERE time_ms >= (SELECT max(time_ms) FROM requests) - 30 * 86400000 GROUP BY day, model ORDER BY day"
time_query() {
  local times=() cpus=() start
  for _ in 1 2 3 4 5 6 7 8 9; do
    start="$(now_ns)"
    /usr/bin/time -f '%U %S' -o "$work/query.time" sqlite3 "$year_db" "$1" >"$work/query.out"
    times+=("$(ms_since "$start")")
    cpus+=("$(cpu_ms "$work/query.time")")
  done
  echo "$(stats "${times[@]}"), CPU $(median "${cpus[@]}")"
}
q_floor="$(time_query 'SELECT 1')"
q_all="$(time_query "$daily_all")"
q_all_lines="$(sqlite3 "$year_db" "$daily_all" | wc -l)"
q_epoch="$(time_query "$daily_epoch")"
q_month="$(time_query "$daily_month")"
q_month_lines="$(sqlite3 "$year_db" "$daily_month" | wc -l)"

echo
echo "a year of heavy use: $year_rows requests, $(field "$year" sessions) sessions," \
  "$(field "$year" transcript_only) from transcripts alone, written in $(field "$year" write_ms) ms"
echo "usage.db: $(mb "$year_bytes") MB, $((year_bytes / year_rows)) bytes per request;" \
  "vacuumed $(mb "$vacuumed_bytes") MB ($((vacuumed_bytes / year_rows)) B/request);" \
  "without its indexes, vacuumed, $(mb "$bare_bytes") MB ($((bare_bytes / year_rows)) B/request)"
while read -r name size; do
  printf '  %-28s %8s MB  %5s B/request\n' "$name" "$(mb "$size")" "$((size / year_rows))"
done <<<"$parts"
echo "sqlite3 (a new process each time), median (min-max) of 9 and median CPU time (user + system), ms:"
printf '  %-60s %s\n' "floor: SELECT 1" "$q_floor"
printf '  %-60s %s\n' "daily by model, the whole year ($q_all_lines rows)" "$q_all"
printf '  %-60s %s\n' "the same, by date(time_ms / 1000, 'unixepoch')" "$q_epoch"
printf '  %-60s %s\n' "daily by model, the last 30 days ($q_month_lines rows)" "$q_month"
