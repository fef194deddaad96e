#!/usr/bin/env bash
# Reports benchmark: a generated year of heavy use (bench/reports-corpus.py: SESSIONS x REQUESTS requests over 365
# days, 8 projects, 5 branches, 3 models) as transcripts, imported by the receiver into a ledger; then, with
# hyperfine (warm-up 1, at least RUNS runs; ccusage CCUSAGE_RUNS runs, default 1: minutes each), in one run side
# by side:
#   - floor: a trivial Java program's start-up (prints one line), with the launcher's JVM flags;
#   - ours: `claude-token-metrics daily` and `session` (the launcher script, JSON out, to /dev/null);
#   - ccusage: `ccusage daily --json --offline` and `session`, with CLAUDE_CONFIG_DIR at the same transcripts.
# Prints the medians, ours against the floor and ccusage against ours, and both tools' token totals (they must
# agree). Usage: bench/reports-bench.sh [sessions, default 5000] [requests per session, default 100] [runs, default 5]
#   ccusage: CCUSAGE_BIN, else ~/.cache/claude-token-metrics-ci/ccusage-18.0.11 (see .ci/run); skipped without it.
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-5000}"
requests="${2:-100}"
runs="${3:-5}"
command -v hyperfine >/dev/null || { echo "reports-bench: needs hyperfine" >&2; exit 1; }
ccusage="${CCUSAGE_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/claude-token-metrics-ci/ccusage-18.0.11/node_modules/.bin/ccusage}"
[ -x "$ccusage" ] || ccusage=""

mvn -q -o -B -pl reports -am -DskipTests package
mvn -q -o -B -pl receiver,reports -am test-compile jar:test-jar
# this build's receiver, never one from the shared local repository; third-party jars from it
classpath="reports/target/test-classes:receiver/target/token-metrics-receiver.jar:receiver/target/token-metrics-receiver-tests.jar"
classpath="$classpath:$(mvn -q -o -B -Dstyle.color=never -pl reports dependency:build-classpath \
  -Dmdep.outputFile=/dev/stdout | sed "s/$(printf '\033')\[[0-9;]*m//g" | tr ':' '\n' \
  | grep -v '/dev/tokenmetrics/' | paste -sd:)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home/.claude/projects" "$work/floor"
python3 bench/reports-corpus.py "$work/home/.claude/projects" "$sessions" "$requests"
java -cp "$classpath" dev.tokenmetrics.reports.ImportTranscripts "$work/home"
db="$work/home/.claude/token-metrics/usage.db"
echo "ledger: $(sqlite3 "$db" 'SELECT count(*) FROM requests') requests, $(du -h "$db" | cut -f1)"

# The floor: the smallest Java program, started as the launcher starts ours.
cat > "$work/floor/Hello.java" <<'JAVA'
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
JAVA
javac -d "$work/floor" "$work/floor/Hello.java"
# shellcheck source=/dev/null # scripts/token-metrics-common.sh, checked on its own
java="$(. scripts/token-metrics-common.sh && ctm_find_java 17)"
flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData"

hyperfine --warmup 1 --min-runs "$runs" --style basic --export-json "$work/ours.json" \
  -n floor "$java $flags -cp $work/floor Hello" \
  -n daily "scripts/claude-token-metrics daily --json --db $db" \
  -n session "scripts/claude-token-metrics session --json --db $db" >/dev/null
echo '{"results": []}' > "$work/ccusage.json"
if [ -n "$ccusage" ]; then
  # minutes per run on a year: fewer runs (the transcripts are in the page cache since the import)
  hyperfine --runs "${CCUSAGE_RUNS:-1}" --style basic --export-json "$work/ccusage.json" \
    -n ccusage-daily "CLAUDE_CONFIG_DIR=$work/home/.claude $ccusage daily --json --offline" \
    -n ccusage-session "CLAUDE_CONFIG_DIR=$work/home/.claude $ccusage session --json --offline" >/dev/null
fi
python3 - "$work/ours.json" "$work/ccusage.json" <<'PY'
import json, sys
results = {r["command"]: r["median"] * 1000 for f in sys.argv[1:] for r in json.load(open(f))["results"]}
floor = results["floor"]
print("median ms: " + ", ".join("%s %.0f" % (name, ms) for name, ms in results.items()))
for ours in ("daily", "session"):
    line = "%s: %.2fx the floor" % (ours, results[ours] / floor)
    if "ccusage-" + ours in results:
        line += ", ccusage %.1fx slower" % (results["ccusage-" + ours] / results[ours])
    print(line)
PY

ours="$(scripts/claude-token-metrics daily --json --db "$db" | python3 -c \
  'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["inputTokens"], t["outputTokens"], t["cacheReadTokens"], t["cacheCreationTokens"])')"
echo "tokens in/out/cache read/cache write: ours $ours"
if [ -n "$ccusage" ]; then
  theirs="$(CLAUDE_CONFIG_DIR="$work/home/.claude" "$ccusage" daily --json --offline | python3 -c \
    'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["inputTokens"], t["outputTokens"], t["cacheReadTokens"], t["cacheCreationTokens"])')"
  echo "tokens in/out/cache read/cache write: ccusage $theirs"
fi
