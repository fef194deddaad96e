#!/usr/bin/env bash
# Starts the token-metrics receiver in the background (pid file and log under ~/.claude/token-metrics), waits
# until /health answers (at most 15 s) and says so. Idempotent: if our daemon already runs, says so and exits 0.
# Honours CLAUDE_TOKEN_METRICS_PORT and CLAUDE_TOKEN_METRICS_FILE.
set -euo pipefail
self="${BASH_SOURCE[0]}" # resolved through the ~/.local/bin symlinks the installer makes
while [ -L "$self" ]; do
  target="$(readlink "$self")"
  case "$target" in /*) self="$target" ;; *) self="$(dirname "$self")/$target" ;; esac
done
here="$(cd "$(dirname "$self")" && pwd)"
# shellcheck source=token-metrics-common.sh
. "$here/token-metrics-common.sh"

if ! ctm_valid_port "$CTM_PORT"; then
  echo "start-token-proxy: CLAUDE_TOKEN_METRICS_PORT must be a port number (1-65535), got '$CTM_PORT'" >&2
  exit 2
fi
if health="$(ctm_health)"; then
  echo "token-metrics receiver already running on port $CTM_PORT (pid $(ctm_health_field "$health" pid))"
  exit 0
fi
if ctm_port_busy "$CTM_PORT"; then
  echo "start-token-proxy: port $CTM_PORT is in use by another program; set CLAUDE_TOKEN_METRICS_PORT to another port" >&2
  exit 1
fi

if ! mkdir -p "$CTM_STATE_DIR" 2>/dev/null || ! [ -w "$CTM_STATE_DIR" ]; then
  echo "start-token-proxy: cannot write the receiver's state directory $CTM_STATE_DIR (is it a file, or not yours?)" >&2
  exit 1
fi
args=(--port "$CTM_PORT")
if [ -n "${CLAUDE_TOKEN_METRICS_FILE:-}" ]; then args+=(--metrics-file "$CLAUDE_TOKEN_METRICS_FILE"); fi
nohup "$here/token-metrics-receiver" "${args[@]}" </dev/null >/dev/null 2>>"$CTM_STATE_DIR/receiver.err" &
pid=$!
for _ in $(seq 150); do
  if health="$(ctm_health)"; then
    echo "token-metrics receiver started on port $CTM_PORT (pid $(ctm_health_field "$health" pid))"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
echo "start-token-proxy: the receiver did not come up on port $CTM_PORT; its log says:" >&2
for log in receiver.log receiver.err; do tail -n 5 "$CTM_STATE_DIR/$log" 2>/dev/null; done | awk '!seen[$0]++' >&2 || true # each line once
exit 1
