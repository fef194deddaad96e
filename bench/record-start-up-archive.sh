#!/usr/bin/env bash
# Records the receiver's start-up archive (AppCDS, scripts/token-metrics-receiver) as a user's first daemon does,
# for the benchmarks that measure what every later daemon runs with: a daemon run by LAUNCHER, in a home of its own,
# gets a second of each load (protobuf, gzip, JSON, logs) from the bodies bench/receiver-bench.sh's payloads wrote
# into BODIES_DIR, then stops, and the JVM writes the archive into $XDG_CACHE_HOME, where the measured daemons'
# launcher takes it.
# Usage: XDG_CACHE_HOME=DIR bench/record-start-up-archive.sh LAUNCHER BODIES_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
launcher="$1"
bodies="$2"
[ -n "${XDG_CACHE_HOME:-}" ] || { echo "record-start-up-archive: set XDG_CACHE_HOME, where the measured daemons look" >&2; exit 2; }
home="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
HOME="$home" "$launcher" --port "$port" >"$home/daemon.out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
# post FILE PATH TYPE ENCODING: a second of it, from the file's first bodies
post() {
  BENCH_BODIES="$bodies/$1" BENCH_PATH="$2" BENCH_CONTENT_TYPE="$3" BENCH_CONTENT_ENCODING="$4" BENCH_THREADS=1 \
    BENCH_PAUSE_MS=0 BENCH_FIRST=0 BENCH_COUNT=2000 wrk -t1 -c4 -d1s -s bench/otlp-post.lua "http://127.0.0.1:$port" >/dev/null
}
post bodies.pb /v1/metrics application/x-protobuf ""
post bodies.pb.gz /v1/metrics application/x-protobuf gzip
post bodies.json /v1/metrics application/json ""
post logs.pb /v1/logs application/x-protobuf ""
kill "$pid"
wait "$pid" || true # written as the JVM exits
if ! ls "$XDG_CACHE_HOME"/claude-token-metrics/receiver-*.jsa."$pid" >/dev/null 2>&1; then
  echo "record-start-up-archive: $launcher recorded no archive: its daemons run without one" >&2
fi
