# claude-token-config.sh: source it from ~/.bashrc or ~/.zshrc to send Claude Code's telemetry to the local
# token-metrics receiver and start the receiver when it is not running.
#
#   CLAUDE_TOKEN_TRACKING=1 (or unset)  export the telemetry variables below, start the receiver in the background
#   CLAUDE_TOKEN_TRACKING=0             the emergency disable: unset every variable this file would set, start nothing
#   claude-token-tracking on|off|status flip it in the current shell
#
# It sets CLAUDE_CODE_ENABLE_TELEMETRY, OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER, OTEL_EXPORTER_OTLP_PROTOCOL
# (http/protobuf: Claude Code's own default, and the receiver's fastest encoding), OTEL_EXPORTER_OTLP_ENDPOINT,
# OTEL_METRIC_EXPORT_INTERVAL and OTEL_LOGS_EXPORT_INTERVAL (1000 ms, or CLAUDE_TOKEN_METRICS_INTERVAL: an answer's
# tokens reach the statusline within about a second, for about 2% of a core; docs/PERFORMANCE.md) and
# OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative (after a receiver outage, the next export carries
# everything since the session's process started, so nothing is missing). When OTLP
# already points at another collector it leaves telemetry as you set it. Honours CLAUDE_TOKEN_METRICS_PORT and
# CLAUDE_TOKEN_METRICS_FILE. Adds a few milliseconds to shell start-up: one background process, nothing waited for.
# shellcheck shell=bash

if [ -n "${BASH_VERSION:-}" ]; then
  _ctm_dir="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
  eval '_ctm_dir="${(%):-%x}"' # zsh's name for the sourced file
fi
# Its directory, made absolute without a process: every process here is paid for by every new shell.
case "$_ctm_dir" in */*) _ctm_dir="${_ctm_dir%/*}"; _ctm_dir="${_ctm_dir:-/}" ;; *) _ctm_dir=. ;; esac
case "$_ctm_dir" in /*) ;; *) _ctm_dir="$PWD/$_ctm_dir" ;; esac

_ctm_vars="CLAUDE_CODE_ENABLE_TELEMETRY OTEL_METRICS_EXPORTER OTEL_LOGS_EXPORTER OTEL_EXPORTER_OTLP_PROTOCOL OTEL_EXPORTER_OTLP_ENDPOINT OTEL_METRIC_EXPORT_INTERVAL OTEL_LOGS_EXPORT_INTERVAL OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"

_ctm_unset() {
  local var
  for var in $(printf '%s\n' "$_ctm_vars"); do unset "$var"; done
}

_ctm_apply() {
  local tracking="${CLAUDE_TOKEN_TRACKING:-1}" port="${CLAUDE_TOKEN_METRICS_PORT:-4318}"
  local interval="${CLAUDE_TOKEN_METRICS_INTERVAL:-1000}" endpoint
  export CLAUDE_TOKEN_TRACKING="$tracking" # the statusline, a child of Claude Code, reads it too
  if [ "$tracking" = 0 ]; then
    _ctm_unset
    return 0
  fi
  if [ "$tracking" != 1 ]; then
    echo "claude-token-metrics: CLAUDE_TOKEN_TRACKING must be 0 or 1, got '$tracking'; telemetry left as it was" >&2
    return 0
  fi
  case "$port" in
    ''|*[!0-9]*) echo "claude-token-metrics: CLAUDE_TOKEN_METRICS_PORT must be a number, got '$port'; telemetry left as it was" >&2; return 0 ;;
  esac
  if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    echo "claude-token-metrics: CLAUDE_TOKEN_METRICS_PORT must be 1-65535, got '$port'; telemetry left as it was" >&2
    return 0
  fi
  case "$interval" in
    ''|*[!0-9]*) echo "claude-token-metrics: CLAUDE_TOKEN_METRICS_INTERVAL must be milliseconds, got '$interval'; telemetry left as it was" >&2; return 0 ;;
  esac
  if [ "$interval" -lt 1000 ] || [ "$interval" -gt 600000 ]; then
    echo "claude-token-metrics: CLAUDE_TOKEN_METRICS_INTERVAL must be 1000-600000 ms, got '$interval'; telemetry left as it was" >&2
    return 0
  fi
  endpoint="http://127.0.0.1:$port"
  if [ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ] && [ "$OTEL_EXPORTER_OTLP_ENDPOINT" != "$endpoint" ] \
     && [ "${_CTM_OWNS_ENDPOINT:-}" != "$OTEL_EXPORTER_OTLP_ENDPOINT" ]; then
    echo "claude-token-metrics: OTLP already goes to $OTEL_EXPORTER_OTLP_ENDPOINT; leaving your telemetry as it is" >&2
    return 0
  fi
  if [ -n "${OTEL_EXPORTER_OTLP_METRICS_ENDPOINT:-}" ]; then
    echo "claude-token-metrics: OTLP metrics already go to $OTEL_EXPORTER_OTLP_METRICS_ENDPOINT; leaving your telemetry as it is" >&2
    return 0
  fi
  export CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp
  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint"
  export OTEL_METRIC_EXPORT_INTERVAL="$interval" OTEL_LOGS_EXPORT_INTERVAL="$interval"
  export OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative
  _CTM_OWNS_ENDPOINT="$endpoint" # re-sourcing, or a port change, is ours to redo
  # Even the check runs in the background: start-token-proxy.sh asks /health first and leaves a running daemon
  # alone, so a new shell pays for one fork rather than for curl's start-up (40-50 ms on a slow VM).
  (CLAUDE_TOKEN_METRICS_PORT="$port" nohup "$_ctm_dir/start-token-proxy.sh" </dev/null >/dev/null 2>&1 &)
}

claude-token-tracking() {
  case "${1:-status}" in
    on) CLAUDE_TOKEN_TRACKING=1; _ctm_apply; claude-token-tracking status ;;
    off) CLAUDE_TOKEN_TRACKING=0; _ctm_apply; claude-token-tracking status ;;
    status)
      if [ "${CLAUDE_TOKEN_TRACKING:-1}" = 0 ]; then
        echo "token tracking: off (CLAUDE_TOKEN_TRACKING=0; telemetry variables unset)"
      elif [ "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" = "http://127.0.0.1:${CLAUDE_TOKEN_METRICS_PORT:-4318}" ]; then
        if curl -fs --max-time 1 "$OTEL_EXPORTER_OTLP_ENDPOINT/health" 2>/dev/null | grep -q '"service":"claude-token-metrics-receiver"'; then
          echo "token tracking: on, receiver running at $OTEL_EXPORTER_OTLP_ENDPOINT"
        else
          echo "token tracking: on, receiver not answering at $OTEL_EXPORTER_OTLP_ENDPOINT (start-token-proxy.sh starts it)"
        fi
      else
        echo "token tracking: not active in this shell (OTLP endpoint: ${OTEL_EXPORTER_OTLP_ENDPOINT:-unset})"
      fi ;;
    *) echo "usage: claude-token-tracking on|off|status" >&2; return 2 ;;
  esac
}

_ctm_apply
