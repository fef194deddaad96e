#!/usr/bin/env bash
# Statusline benchmark: wall time per render, as Claude Code runs it (a fresh process, stdin piped), side by side in
# one run with `ccusage statusline` (npm ccusage@18, its last pure-JavaScript release) on the same generated corpus.
# Medians of hyperfine runs. Needs hyperfine, node/npm, python3. Usage: bench/statusline-bench.sh [runs, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
for tool in hyperfine npm node python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

mvn -q -B -DskipTests package -pl statusline
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm install --prefix "$work/ccusage" --no-audit --no-fund --loglevel=error ccusage@18 >/dev/null
ccusage="$work/ccusage/node_modules/.bin/ccusage"

# small: a 50-message session among 5 others, 1 session in the metrics file;
# large: a 5,000-message session among 40 others, 1,000 sessions in the metrics file.
python3 bench/statusline-corpus.py "$work/small" 50 5 1 > "$work/small.json"
python3 bench/statusline-corpus.py "$work/large" 5000 40 1000 > "$work/large.json"
export XDG_CACHE_HOME="$work/cache"
HOME="$work/small" scripts/claude-statusline --prepare

# The floor: a trivial Java program (read stdin, print a line) on the same JDK with the same flags and its own cache.
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
floor="$STATUSLINE_JAVA $floor_flags -cp $work/floor.jar Floor"

ours="$PWD/scripts/claude-statusline"
nometrics="--metrics-file /nonexistent --max-age 3600" # forces the transcript fallback
cases=(
  "floor: trivial Java program, same JDK, flags, cache|small|$floor"
  "ours, fresh metrics, 1 session in file|small|$ours --max-age 3600"
  "ours, fresh metrics, 1000 sessions in file|large|$ours --max-age 3600"
  "ours, fallback, 50-message transcript|small|$ours $nometrics"
  "ours, fallback, 5000-message transcript|large|$ours $nometrics"
  "ccusage statusline (default, 1 s cache), small|small|$ccusage statusline"
  "ccusage statusline (default, 1 s cache), large|large|$ccusage statusline"
  "ccusage statusline --no-cache, small|small|$ccusage statusline --no-cache"
  "ccusage statusline --no-cache, large|large|$ccusage statusline --no-cache"
)
echo "statusline benchmark: $(nproc) cores, $("$STATUSLINE_JAVA" -version 2>&1 | head -1), $runs runs per case (after 3 warm-ups, so transcripts are read once)"
printf '%-48s %10s  %s\n' "case" "median" "line"
declare -A median
for entry in "${cases[@]}"; do
  IFS='|' read -r label corpus command <<<"$entry"
  line="$(HOME="$work/$corpus" $command < "$work/$corpus.json" 2>/dev/null | head -1)"
  # hyperfine 1.15 cannot pipe stdin per run; time through sh, which adds the same ~1 ms to every case
  HOME="$work/$corpus" hyperfine -w 3 -r "$runs" --export-json "$work/result.json" \
    "$command < $work/$corpus.json" >/dev/null 2>&1
  m="$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$work/result.json")"
  median["$label"]="$m"
  printf '%-48s %8s ms  %s\n' "$label" "$m" "$line"
done
ratio() { python3 -c "print('%.1fx' % (float('$1') / float('$2')))"; }
echo
echo "ours over the floor: fresh $(python3 -c "print('%+.1f ms' % (float('${median["ours, fresh metrics, 1 session in file"]}') - float('${median["floor: trivial Java program, same JDK, flags, cache"]}')))")"
echo "ccusage (default) / ours fresh: small $(ratio "${median["ccusage statusline (default, 1 s cache), small"]}" "${median["ours, fresh metrics, 1 session in file"]}"), large $(ratio "${median["ccusage statusline (default, 1 s cache), large"]}" "${median["ours, fresh metrics, 1000 sessions in file"]}")"
echo "ccusage --no-cache / ours fallback: small $(ratio "${median["ccusage statusline --no-cache, small"]}" "${median["ours, fallback, 50-message transcript"]}"), large $(ratio "${median["ccusage statusline --no-cache, large"]}" "${median["ours, fallback, 5000-message transcript"]}")"
