# Shared by the claude-token-metrics scripts (sourced): settings, validation, the daemon's identity and the JDK.
# Sourced by bash scripts, and by the statusline's /bin/sh launcher for ctm_find_java: it must parse in POSIX sh.
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
  printf '%s\n' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# True when something accepts connections on the port (bash's /dev/tcp: no lsof, no process).
ctm_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The feature version (17, 21, 25...) of the java at $1: from its JDK's release file when there is one (no JVM is
# started), else by asking that java.
ctm_java_major() {
  local real release
  real="$(readlink -f "$1" 2>/dev/null)" || real="$1"
  release="${real%/bin/java}/release"
  if [ -r "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
  else
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
  fi
}

# The exact runtime version of the java at $1 (as 17.0.15+6-Debian-1deb12u1), from its JDK's release file; empty
# when there is none (no JVM is started to ask).
ctm_java_runtime() {
  local real
  real="$(readlink -f "$1" 2>/dev/null)" || real="$1"
  [ -r "${real%/bin/java}/release" ] && sed -n 's/^JAVA_RUNTIME_VERSION="\([^"]*\)".*/\1/p' "${real%/bin/java}/release"
}

# The one way the scripts find Java: ctm_find_java [MIN_MAJOR [newest]] prints the path of the first java of feature
# version MIN_MAJOR (default 17) or newer in JAVA_HOME, on the PATH, in /usr/lib/jvm/* or in macOS's
# /Library/Java/JavaVirtualMachines/*; with "newest", the newest of them (the earlier wins a tie). Fails when none.
ctm_find_java() {
  local min="${1:-17}" best="" best_major=0 java major
  for java in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" \
              /usr/lib/jvm/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
    { [ -n "$java" ] && [ -x "$java" ]; } || continue
    major="$(ctm_java_major "$java")"
    { [ "${major:-0}" -ge "$min" ] && [ "$major" -gt "$best_major" ]; } 2>/dev/null || continue
    best="$java" best_major="$major"
    [ "${2:-}" = newest ] || break
  done
  [ -n "$best" ] && printf '%s\n' "$best"
}
