#!/usr/bin/env bash
# launch-claude-with-metrics.sh [claude args...]: runs Claude Code with its telemetry going to the token-metrics
# receiver, for this one process only. Starts the receiver if needed, labels the session with the project (git
# top-level directory name, else the directory name) and git branch, returns claude's exit code, and afterwards
# stops the receiver only if it started it and no other session is still exporting.
# Claude Code exports every 1000 ms (CLAUDE_TOKEN_METRICS_INTERVAL overrides; docs/PERFORMANCE.md says why).
# CLAUDE_TOKEN_TRACKING=0 runs claude untouched. CLAUDE_CODE_BIN names the claude executable (default: claude).
set -euo pipefail
self="${BASH_SOURCE[0]}" # resolved through the ~/.local/bin symlinks the installer makes
while [ -L "$self" ]; do
  target="$(readlink "$self")"
  case "$target" in /*) self="$target" ;; *) self="$(dirname "$self")/$target" ;; esac
done
here="$(cd "$(dirname "$self")" && pwd)"
# shellcheck source=token-metrics-common.sh
. "$here/token-metrics-common.sh"
claude="${CLAUDE_CODE_BIN:-claude}"

if [ "${CLAUDE_TOKEN_TRACKING:-1}" = 0 ]; then
  exec "$claude" "$@"
fi
if ! ctm_valid_port "$CTM_PORT"; then
  echo "launch-claude-with-metrics: CLAUDE_TOKEN_METRICS_PORT must be 1-65535, got '$CTM_PORT'; running claude without tracking" >&2
  exec "$claude" "$@"
fi

started=0
if ! ctm_health >/dev/null; then
  if ! "$here/start-token-proxy.sh" >/dev/null; then
    echo "launch-claude-with-metrics: the receiver could not start; running claude without tracking" >&2
    exec "$claude" "$@"
  fi
  started=1
fi

# OTEL_RESOURCE_ATTRIBUTES values are percent-encoded (a branch may hold ',' or '=').
encode() {
  local LC_ALL=C text="$1" out="" c i
  for ((i = 0; i < ${#text}; i++)); do
    c="${text:i:1}"
    case "$c" in
      [A-Za-z0-9._~/-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}
top="$(git rev-parse --show-toplevel 2>/dev/null || pwd)"
attributes="project=$(encode "$(basename "$top")")"
branch="$(git symbolic-ref --short -q HEAD 2>/dev/null || true)"
if [ -n "$branch" ]; then attributes+=",git.branch=$(encode "$branch")"; fi
launch="$$-$RANDOM$RANDOM"
attributes+=",claude_token_metrics.launch=$launch"
if [ -n "${OTEL_RESOURCE_ATTRIBUTES:-}" ]; then attributes="$OTEL_RESOURCE_ATTRIBUTES,$attributes"; fi

set +e
CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp \
  OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$CTM_PORT" \
  OTEL_METRIC_EXPORT_INTERVAL="${CLAUDE_TOKEN_METRICS_INTERVAL:-1000}" \
  OTEL_LOGS_EXPORT_INTERVAL="${CLAUDE_TOKEN_METRICS_INTERVAL:-1000}" \
  OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative \
  OTEL_RESOURCE_ATTRIBUTES="$attributes" "$claude" "$@"
status=$?
set -e

if [ "$started" = 1 ] && health="$(ctm_health_query "?exclude-launch=$launch")" \
   && [ "$(ctm_health_field "$health" activeSessions)" = 0 ]; then
  "$here/stop-token-proxy.sh" >/dev/null || true
fi
exit "$status"
