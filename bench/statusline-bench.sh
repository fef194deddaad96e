#!/usr/bin/env bash
# Statusline benchmark: wall time and CPU time per render, as Claude Code runs it (a new process, stdin piped), in one
# run: the awk fast path, the Java program (the fallback), their floors (a shell that reads stdin and prints; a
# trivial Java program on the same JDK with the same flags and start-up cache), and `ccusage statusline` and
# `ccstatusline` (npm, pinned, installed into ~/.cache/claude-token-metrics-bench/), all on the same generated corpus.
# Medians of N runs after 3 warm-ups (bench/spawn-timer.py: posix_spawn, no shell in between).
# Needs node/npm, python3, a JDK, Maven. Usage: bench/statusline-bench.sh [runs, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
ccusage_version=18.0.11      # the newest ccusage that runs from its npm package alone (see transcripts-bench.sh)
ccstatusline_version=2.2.30
for tool in npm node python3 mvn; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

mvn -q -B -o -DskipTests package -pl statusline
npm_cache="${XDG_CACHE_HOME:-$HOME/.cache}/claude-token-metrics-bench"
install_npm() { # package version → its bin directory, installed once
  local dir="$npm_cache/$1-$2"
  [ -x "$dir/node_modules/.bin/$1" ] \
    || npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$1@$2" >>"$npm_cache/npm.log" 2>&1
  echo "$dir/node_modules/.bin/$1"
}
mkdir -p "$npm_cache"
ccusage="$(install_npm ccusage "$ccusage_version")"
ccstatusline="$(install_npm ccstatusline "$ccstatusline_version")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# small: a 50-message session among 5 others, 1 session in the metrics file;
# large: a 5,000-message session among 40 others, 1,000 sessions in the metrics file (200 in the live file).
python3 bench/statusline-corpus.py "$work/small" 50 5 1 > "$work/small.json"
python3 bench/statusline-corpus.py "$work/large" 5000 40 1000 > "$work/large.json"
export XDG_CACHE_HOME="$work/cache"
HOME="$work/small" scripts/claude-statusline --prepare

# The Java floor: a trivial program (read stdin, print a line) on the same JDK, same flags, its own start-up cache.
# shellcheck source=/dev/null
. "$XDG_CACHE_HOME/claude-token-metrics/statusline.launch"
mkdir -p "$work/floor"
printf 'public class Floor { public static void main(String[] a) throws Exception {\n  byte[] in = System.in.readAllBytes(); System.out.println("read " + in.length); } }\n' > "$work/floor/Floor.java"
"$(dirname "$STATUSLINE_JAVA")/javac" -d "$work/floor" "$work/floor/Floor.java"
"$(dirname "$STATUSLINE_JAVA")/jar" cf "$work/floor.jar" -C "$work/floor" Floor.class # start-up caches need jars
floor_flags="${STATUSLINE_FLAGS//$STATUSLINE_CACHE/$work/floor.cache}"
floor_record="-XX:ArchiveClassesAtExit=$work/floor.cache"
case "$STATUSLINE_FLAGS" in *AOTCache*) floor_record="-XX:AOTCacheOutput=$work/floor.cache" ;; esac
"$STATUSLINE_JAVA" "$floor_record" -cp "$work/floor.jar" Floor < "$work/small.json" >/dev/null 2>&1
# The shell floor: the same sh reads stdin and prints a line, nothing else.
# shellcheck disable=SC2016 # expanded by the floor script, not here
printf '#!/bin/sh\nIFS= read -r line\necho "read ${#line}"\n' > "$work/floor.sh"

ours="$PWD/scripts/claude-statusline"
fresh="--max-age 3600" # the corpus is written once, before the runs
cases=(
  "floor: sh reads stdin, prints|small|env|/bin/sh $work/floor.sh"
  "fast path (awk), 1 session in file|small|env|$ours $fresh"
  "fast path (awk), 1,000 sessions in file|large|env|$ours $fresh"
  "fast path (awk), default + block segment|small|env|$ours $fresh --format model,cost,today,tokens,burn,block"
  "floor: trivial Java program, same JDK/flags/cache|small|env|$STATUSLINE_JAVA $floor_flags -cp $work/floor.jar Floor"
  "Java program, fresh, 1 session in file|small|env CLAUDE_STATUSLINE_FAST=0|$ours $fresh"
  "Java program, fresh, 1,000 sessions in file|large|env CLAUDE_STATUSLINE_FAST=0|$ours $fresh"
  "Java program, default + block segment|small|env CLAUDE_STATUSLINE_FAST=0|$ours $fresh --format model,cost,today,tokens,burn,block"
  "Java fallback, 5,000-message transcript|large|env|$ours --metrics-file /nonexistent"
  "ccusage statusline (1 s cache), small|small|env|$ccusage statusline"
  "ccusage statusline (1 s cache), large|large|env|$ccusage statusline"
  "ccstatusline (default settings), small|small|env|$ccstatusline"
)
echo "statusline benchmark: $(nproc) cores, $("$STATUSLINE_JAVA" -version 2>&1 | head -1), $(readlink -f "$(command -v awk)"), $runs runs per case after 3 warm-ups"
printf '%-50s %9s %9s  %s\n' "case" "median" "CPU" "line"
declare -A median cpu
for entry in "${cases[@]}"; do
  IFS='|' read -r label corpus prefix command <<<"$entry"
  # shellcheck disable=SC2086 # the prefix and command are words by design
  result="$(HOME="$work/$corpus" $prefix python3 bench/spawn-timer.py "$runs" 3 "$work/$corpus.json" $command)"
  median["$label"]="$(python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["median_ms"])' "$result")"
  cpu["$label"]="$(python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["cpu_ms"])' "$result")"
  line="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["line"][:130])' "$result")"
  printf '%-50s %6s ms %6s ms  %s\n' "$label" "${median["$label"]}" "${cpu["$label"]}" "$line"
done
ratio() { python3 -c "print('%.1fx' % (float('${median["$1"]}') / float('${median["$2"]}')))"; }
fast="fast path (awk), 1 session in file"
echo
echo "fast path over the shell floor: $(python3 -c "print('%+.1f ms' % (float('${median["$fast"]}') - float('${median["floor: sh reads stdin, prints"]}')))")"
echo "Java program / fast path: $(ratio "Java program, fresh, 1 session in file" "$fast")"
echo "fast path with the block segment / without: $(ratio "fast path (awk), default + block segment" "$fast")"
echo "ccusage / fast path: small $(ratio "ccusage statusline (1 s cache), small" "$fast"), large $(ratio "ccusage statusline (1 s cache), large" "fast path (awk), 1,000 sessions in file")"
echo "ccstatusline / fast path: $(ratio "ccstatusline (default settings), small" "$fast")"
