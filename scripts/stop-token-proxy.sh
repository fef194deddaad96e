#!/usr/bin/env bash
# Stops our token-metrics receiver: only a process that both the pid file and /health name as ours, never by name
# and never another program on the port. Idempotent: nothing running is not an error.
set -euo pipefail
self="${BASH_SOURCE[0]}" # resolved through the ~/.local/bin symlinks the installer makes
while [ -L "$self" ]; do
  target="$(readlink "$self")"
  case "$target" in /*) self="$target" ;; *) self="$(dirname "$self")/$target" ;; esac
done
here="$(cd "$(dirname "$self")" && pwd)"
# shellcheck source=token-metrics-common.sh
. "$here/token-metrics-common.sh"

file_pid="$(cat "$CTM_PID_FILE" 2>/dev/null || true)"
if ! health="$(ctm_health)"; then
  if ctm_port_busy "$CTM_PORT"; then
    echo "stop-token-proxy: port $CTM_PORT is held by another program, not our receiver; leaving it alone" >&2
    exit 1
  fi
  echo "token-metrics receiver is not running on port $CTM_PORT"
  exit 0
fi
health_pid="$(ctm_health_field "$health" pid)"
if [ -z "$file_pid" ] || [ "$file_pid" != "$health_pid" ]; then
  echo "stop-token-proxy: the receiver on port $CTM_PORT (pid $health_pid) is not the one in $CTM_PID_FILE" \
       "(${file_pid:-none}); not stopping it. It belongs to another HOME or state directory." >&2
  exit 1
fi
kill -TERM "$health_pid"
for _ in $(seq 50); do
  if ! kill -0 "$health_pid" 2>/dev/null; then
    echo "token-metrics receiver stopped (pid $health_pid)"
    exit 0
  fi
  sleep 0.1
done
echo "stop-token-proxy: pid $health_pid did not stop within 5 s" >&2
exit 1
