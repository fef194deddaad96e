# Shared by the claude-token-metrics scripts (sourced, bash): settings, validation and the daemon's identity.
# shellcheck shell=bash

CTM_SERVICE='"service":"claude-token-metrics-receiver"'
CTM_PORT="${CLAUDE_TOKEN_METRICS_PORT:-4318}"
CTM_STATE_DIR="${HOME}/.claude/token-metrics"
# shellcheck disable=SC2034 # used by the scripts that source this file
CTM_PID_FILE="$CTM_STATE_DIR/receiver.pid"

ctm_valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

# Prints /health's JSON when our daemon answers on the port (any output means: it is ours).
ctm_health() { ctm_health_query ""; }

# The same with a query string, such as "?exclude-launch=ID".
ctm_health_query() {
  local body
  body="$(curl -fsS --max-time 2 "http://127.0.0.1:$CTM_PORT/health$1" 2>/dev/null)" || return 1
  [[ "$body" == *"$CTM_SERVICE"* ]] || return 1
  printf '%s\n' "$body"
}

ctm_health_field() { # ctm_health_field JSON NAME -> the number
  sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"
}

# True when something accepts connections on the port (bash's /dev/tcp: no lsof, no process).
ctm_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
