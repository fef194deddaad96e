#!/usr/bin/env bash
# Forwarding benchmark (docs/PERFORMANCE.md#forwarding): what forwarding adds per export where the acknowledgement
# waits (the queue's append: frame, CRC32C, one write per export, and per commit group of 8) against a plain write
# of the same bytes at the end of a file, interleaved in the same rounds; and the sender's work per export (read
# back, resource attributes stamped, gzip).
# The HTTP post and the upstream are in bench/receiver-bench.sh's forwarding rows.
# Usage: bench/forward-bench.sh [rounds, default 7] [exports per round, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-7}"
exports="${2:-10000}"
mvn -q -B -o -pl receiver -am -DskipTests package
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The launcher's JVM flags: the daemon runs with them.
java -XX:+UseSerialGC -Xmn2m -XX:TieredStopAtLevel=1 \
  -cp receiver/target/token-metrics-receiver.jar:receiver/target/test-classes \
  dev.tokenmetrics.receiver.forward.BenchForwardQueue "$work/forward" "$rounds" "$exports"
