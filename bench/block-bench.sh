#!/usr/bin/env bash
# The 5-hour block's cost to the receiver (docs/METRICS-FILE.md, `block`): LedgerReader.block on a year of heavy use
# written by LedgerYear (Y requests spread evenly, with no pause of 5 hours: every read goes back the whole 48-hour
# look-back), read on every metrics-file write. Prints, for R rounds, the median time of a read after the ledger
# changed, of a read with the ledger unchanged (the heartbeat's, and most writes'), and of the floor measured in the
# same run (counting the look-back's rows through the same index), with the ratio to it.
# Usage: bench/block-bench.sh [year requests=525600] [rounds=200]
set -euo pipefail
cd "$(dirname "$0")/.."
year_requests="${1:-525600}"
rounds="${2:-200}"
mvn -q -o -B -pl receiver -am -DskipTests package
mvn -q -o -B -pl receiver -am test-compile
classpath=receiver/target/token-metrics-receiver.jar:receiver/target/test-classes
# The JVM flags the launcher starts the daemon with: the read runs in the daemon.
mapfile -t daemon_flags < <(sed -n '/^exec "[$]java"/,/-jar/p' scripts/token-metrics-receiver | grep -o -- '-[XD][^ ]*')
[[ ${#daemon_flags[@]} -gt 5 ]] || { echo "cannot read the daemon's JVM flags from the launcher" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "block benchmark: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $rounds rounds"
java -cp "$classpath" dev.tokenmetrics.receiver.ledger.LedgerYear "$work/usage.db" "$year_requests"
MALLOC_ARENA_MAX=2 java "${daemon_flags[@]}" -cp "$classpath" dev.tokenmetrics.receiver.ledger.BlockReadBench \
  "$work/usage.db" "$rounds"
