#!/usr/bin/env bash
# Transcript reader benchmark: generates a Claude Code history (TranscriptCorpus: N sessions x M requests, several
# projects, branches and models, streamed duplicates, cost states, subagents) into a temp dir and reports, as
# medians of 3 runs on a warm page cache:
#   - floor: cat of every transcript to /dev/null (reading the bytes, no parsing);
#   - ours: a fresh JVM's first full scan (in-process time and MB/s, and the process's wall time), then a re-scan of
#     the unchanged history in the same process (stat only: files opened must be 0); on one thread, and on as many
#     as there are cores;
#   - ccusage: `ccusage daily --offline --json` with CLAUDE_CONFIG_DIR at the same history, if installed.
# Token totals of both are printed beside the times: they must agree (ccusage counts a streamed reply that has no
# request id once per line, so input and cache totals can differ by those).
# Usage: bench/transcripts-bench.sh [sessions, default 400] [messages, default 300]
#   ccusage: CCUSAGE=path, else `ccusage` on PATH, else /tmp/ccusage (npm install --prefix /tmp/ccusage ccusage@18.0.11)
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-400}"
messages="${2:-300}"
# 18.0.11 is the newest ccusage that runs from the npm package alone here: 19 and 20 need a per-platform native
# package (@ccusage/ccusage-linux-x64) that the registry does not serve to this machine.
ccusage_version=18.0.11

mvn -q -o -B -pl receiver -am -DskipTests package
mvn -q -o -B -pl receiver -am test-compile
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/claude/projects"
java -cp "$classpath" dev.tokenmetrics.receiver.transcripts.TranscriptCorpus "$work/claude/projects" \
  "$sessions" "$messages"
sync

ccusage="${CCUSAGE:-$(command -v ccusage || true)}"
[[ -z "$ccusage" && -x /tmp/ccusage/node_modules/.bin/ccusage ]] && ccusage=/tmp/ccusage/node_modules/.bin/ccusage

now_ns() { date +%s%N; }
ms_since() { echo "scale=1; ($(now_ns) - $1) / 1000000" | bc; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

threads="$(nproc)"
floor=() ours_wall=() ours_full=() ours_rate=() ours_rescan=() cc_wall=() par_full=() par_rate=()
for _ in 1 2 3; do
  start="$(now_ns)"
  find "$work/claude/projects" -name '*.jsonl' -print0 | xargs -0 cat >/dev/null
  floor+=("$(ms_since "$start")")

  start="$(now_ns)"
  line="$(java -cp "$classpath" dev.tokenmetrics.receiver.transcripts.TranscriptScanBench "$work/claude/projects")"
  ours_wall+=("$(ms_since "$start")")
  ours_full+=("$(field "$line" full_ms)")
  ours_rate+=("$(field "$line" mb_per_s)")
  ours_rescan+=("$(field "$line" rescan_ms)")
  [[ "$(field "$line" rescan_opened)" == 0 ]] || { echo "the re-scan opened files: $line" >&2; exit 1; }
  par="$(java -cp "$classpath" dev.tokenmetrics.receiver.transcripts.TranscriptScanBench "$work/claude/projects" \
    "$threads")"
  par_full+=("$(field "$par" full_ms)")
  par_rate+=("$(field "$par" mb_per_s)")

  if [[ -n "$ccusage" ]]; then
    start="$(now_ns)"
    CLAUDE_CONFIG_DIR="$work/claude" "$ccusage" daily --offline --json >"$work/ccusage.json"
    cc_wall+=("$(ms_since "$start")")
  fi
done

m() { printf '%s\n' "$@" | median; }
echo
echo "transcripts benchmark: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "history: $(field "$line" files) files, $(echo "scale=1; $(field "$line" bytes) / 1000000" | bc) MB," \
  "$(field "$line" requests) requests, $(field "$line" cost_states) cost states, $(field "$line" malformed) malformed"
printf '%-52s %10s\n' "median of 3 (warm page cache)" "ms"
printf '%-52s %10s\n' "floor: cat of every transcript to /dev/null" "$(m "${floor[@]}")"
printf '%-52s %10s   (%s MB/s)\n' "ours: first full scan, in process" "$(m "${ours_full[@]}")" "$(m "${ours_rate[@]}")"
printf '%-52s %10s   (%s MB/s)\n' "ours: first full scan on $threads threads, in process" "$(m "${par_full[@]}")" \
  "$(m "${par_rate[@]}")"
printf '%-52s %10s\n' "ours: re-scan of the unchanged history, in process" "$(m "${ours_rescan[@]}")"
printf '%-52s %10s\n' "ours: whole process (JVM start, full scan, re-scan)" "$(m "${ours_wall[@]}")"
echo "ours: tokens in/out/cache read/cache write = $(field "$line" tokens)"
if [[ -n "$ccusage" ]]; then
  printf '%-52s %10s\n' "ccusage $("$ccusage" --version 2>/dev/null | tail -1) daily --offline --json" "$(m "${cc_wall[@]}")"
  echo "ccusage: tokens in/out/cache read/cache write = $(node -e '
    const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).totals;
    console.log([t.inputTokens, t.outputTokens, t.cacheReadTokens, t.cacheCreationTokens].join("/"));' \
    "$work/ccusage.json")"
else
  echo "ccusage: not installed (npm install --prefix /tmp/ccusage ccusage@$ccusage_version)"
fi
