#!/usr/bin/env bash
# Export interval and statusline refresh benchmark (issue 14): the CPU that Claude Code's OTLP export interval and
# the statusLine refreshInterval cost, on the real Claude Code TUI (under tmux) against a stand-in Messages API and
# the real receiver (scripts/token-metrics-receiver, the launcher's flags). Each configuration gets a fresh HOME,
# receiver and Claude Code, one prompt and 15 s to settle after its prompt shows, then CPU time (user + system, from /proc) over
# an idle window (nothing typed) and a busy window (a prompt every 5 s): Claude Code itself, the statusline runs it
# started (its reaped children), and the receiver. Figures are CPU milliseconds per minute of wall time
# (600 = 1% of one core). The floor, in the same run: Claude Code with telemetry off and no statusLine.
# A configuration is EXPORT/REFRESH: EXPORT the export interval in ms (OTEL_METRIC_EXPORT_INTERVAL and
# OTEL_LOGS_EXPORT_INTERVAL, cumulative temporality, as the shell integration sets them) or "off" (no telemetry);
# REFRESH the statusLine's refreshInterval in seconds, or 0 for no statusLine.
# Usage: bench/export-interval-bench.sh [seconds per window, default 60] [configurations...]
# Needs: Claude Code (CLAUDE_CODE_BIN or claude on the PATH), tmux, python3, curl, and the built jars
# (mvn -q -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
configs=("$@")
if [ ${#configs[@]} = 0 ]; then configs=(off/0 5000/0 2000/0 1000/0 5000/5 1000/1); fi
claude="${CLAUDE_CODE_BIN:-$(command -v claude || true)}"
[ -x "$claude" ] || { echo "Claude Code is needed: set CLAUDE_CODE_BIN or put claude on the PATH" >&2; exit 1; }
for tool in tmux python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
for jar in receiver/target/token-metrics-receiver.jar statusline/target/claude-statusline.jar; do
  [ -f "$jar" ] || { echo "$jar is missing: mvn -q -DskipTests package" >&2; exit 1; }
done

work="$(mktemp -d)"
socket="ctm-bench-$$"
api_pid=""
receiver_pid=""
cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  kill ${receiver_pid:-} ${api_pid:-} 2>/dev/null || true
  wait ${receiver_pid:-} ${api_pid:-} 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 bench/standin-messages-api.py "$work/api.port" &
api_pid=$!
for _ in $(seq 100); do [ -f "$work/api.port" ] && break; sleep 0.1; done
api="http://127.0.0.1:$(cat "$work/api.port")"
key="sk-ant-bench-0123456789abcdefghij"
ticks="$(getconf CLK_TCK)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# cpu PID: "self children" CPU time in clock ticks (fields 14+15 and 16+17 of /proc/PID/stat; the command name,
# field 2, may hold spaces, so fields are counted after its closing parenthesis)
cpu() {
  if [ -z "$1" ] || [ ! -r "/proc/$1/stat" ]; then echo "0 0"; return; fi
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13, $14 + $15}'
}
per_minute() { awk -v t="$1" -v hz="$ticks" -v s="$seconds" 'BEGIN {printf "%d", t * 1000 / hz * 60 / s}'; }
screen() { tmux -L "$socket" capture-pane -p -t main; }
prompt() {
  tmux -L "$socket" send-keys -t main -l "say hi"
  sleep 0.2 # an Enter that arrives with the text is taken as part of a paste
  tmux -L "$socket" send-keys -t main Enter
}

# window KIND: CPU over $seconds, nothing typed (idle) or a prompt every 5 s (busy); prints the three figures
window() {
  local cc0 cc1 rc0 rc1 end
  read -r -a cc0 < <(cpu "$cc_pid")
  read -r -a rc0 < <(cpu "$receiver_pid")
  end=$((SECONDS + seconds))
  if [ "$1" = busy ]; then
    while [ $SECONDS -lt $end ]; do prompt; sleep 5; done
  else
    sleep "$seconds"
  fi
  read -r -a cc1 < <(cpu "$cc_pid")
  read -r -a rc1 < <(cpu "$receiver_pid")
  printf '%8s %8s %8s' "$(per_minute $((cc1[0] - cc0[0])))" "$(per_minute $((cc1[1] - cc0[1])))" \
    "$([ -n "$receiver_pid" ] && per_minute $((rc1[0] + rc1[1] - rc0[0] - rc0[1])) || echo -)"
}

echo "export interval benchmark: $(nproc) cores, Claude Code $("$claude" --version 2>/dev/null | head -1), ${seconds} s windows"
echo "CPU ms per minute (600 = 1% of a core): Claude Code itself, its statusline runs, the receiver"
printf '%-16s | %-26s | %-26s | %s\n' "export/refresh" "idle: claude  status  recv" "busy: claude  status  recv" \
  "claude vs floor (idle, busy)"
floor_idle=""
floor_busy=""
for config in "${configs[@]}"; do
  export_ms="${config%/*}"
  refresh="${config#*/}"
  home="$work/$export_ms-$refresh"
  project="$home/project"
  mkdir -p "$project" "$home/.claude"
  printf '{"hasCompletedOnboarding":true,"numStartups":5,"theme":"dark","customApiKeyResponses":{"approved":["%s"]},"projects":{"%s":{"hasTrustDialogAccepted":true,"hasCompletedProjectOnboarding":true}}}' \
    "${key: -20}" "$project" >"$home/.claude.json"
  if [ "$refresh" != 0 ]; then
    HOME="$home" XDG_CACHE_HOME="$home/.cache" scripts/claude-statusline --prepare >/dev/null
    printf '{"statusLine":{"type":"command","command":"%s","refreshInterval":%s}}' \
      "$PWD/scripts/claude-statusline" "$refresh" >"$home/.claude/settings.json"
  fi
  env=(HOME="$home" XDG_CACHE_HOME="$home/.cache" TERM=xterm-256color PATH="$PATH" ANTHROPIC_BASE_URL="$api"
       ANTHROPIC_API_KEY="$key" CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1)
  receiver_pid=""
  if [ "$export_ms" != off ]; then
    port="$(free_port)"
    HOME="$home" scripts/token-metrics-receiver --port "$port" >"$home/receiver.out" 2>&1 &
    receiver_pid=$!
    for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
    env+=(CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp
          OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$port"
          OTEL_METRIC_EXPORT_INTERVAL="$export_ms" OTEL_LOGS_EXPORT_INTERVAL="$export_ms"
          OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative)
  fi
  tmux -L "$socket" -f /dev/null new-session -d -s main -x 200 -y 50 -c "$project" env -i "${env[@]}" "$claude"
  cc_pid="$(tmux -L "$socket" display -p -t main '#{pane_pid}')"
  for _ in $(seq 600); do screen | grep -q '❯' && break; sleep 0.1; done
  # One answer first, so that idle is a session in use (in the metrics file), not one never prompted; then the
  # start-up work (first exports, caches) settles, which is not what is measured.
  prompt
  sleep 15
  idle="$(window idle)"
  busy="$(window busy)"
  read -r idle_cc _ _ <<<"$idle"
  read -r busy_cc _ _ <<<"$busy"
  if [ "$export_ms" = off ] && [ "$refresh" = 0 ]; then floor_idle="$idle_cc"; floor_busy="$busy_cc"; fi
  ratio="$(awk -v a="$idle_cc" -v b="$busy_cc" -v fa="$floor_idle" -v fb="$floor_busy" \
    'BEGIN {if (fa > 0 && fb > 0) printf "%.2fx, %.2fx", a / fa, b / fb; else print "-"}')"
  printf '%-16s | %s | %s | %s\n' "$config" "$idle" "$busy" "$ratio"
  tmux -L "$socket" kill-server 2>/dev/null || true
  if [ -n "$receiver_pid" ]; then kill "$receiver_pid"; wait "$receiver_pid" 2>/dev/null || true; fi
done
