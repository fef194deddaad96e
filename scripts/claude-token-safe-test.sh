#!/usr/bin/env bash
# claude-token-safe-test.sh: the pre-flight check before enabling token tracking in your main environment.
# Checks the JDK, the jars, the port, your telemetry variables and ~/.claude, then runs a throwaway receiver on a
# free port with a temporary HOME, posts real Claude Code exports in both encodings and runs the statusline against
# it, all without touching your real files. Prints ✅/⚠️/❌ per check; exits 1 on any ❌.
set -euo pipefail
self="${BASH_SOURCE[0]}"
while [ -L "$self" ]; do
  target="$(readlink "$self")"
  case "$target" in /*) self="$target" ;; *) self="$(dirname "$self")/$target" ;; esac
done
here="$(cd "$(dirname "$self")" && pwd)"
# shellcheck source=token-metrics-common.sh
. "$here/token-metrics-common.sh"

failures=0
ok() { echo "✅ $*"; }
warn() { echo "⚠️  $*"; }
fail() { echo "❌ $*"; failures=$((failures + 1)); }
first() { for f in "$@"; do if [ -f "$f" ]; then echo "$f"; return 0; fi; done; return 1; }

# 1. Java: the one each launcher would take (the receiver the first 17+, the statusline the newest or its pinned JDK)
version=""
if java="$(ctm_find_java 17)"; then
  version="$(ctm_java_major "$java")"
  ok "Java $version for the receiver ($java)"
  statusline_java="${CLAUDE_STATUSLINE_JDK:+$CLAUDE_STATUSLINE_JDK/bin/java}"
  statusline_java="${statusline_java:-$(ctm_find_java 17 newest)}"
  statusline_version="$(ctm_java_major "$statusline_java")"
  if [ "${statusline_version:-0}" -ge 17 ] 2>/dev/null; then ok "Java $statusline_version for the statusline ($statusline_java)"
  else fail "CLAUDE_STATUSLINE_JDK '$CLAUDE_STATUSLINE_JDK' is not a JDK 17 or newer"; fi
else
  fail "Java 17 or newer not found (set JAVA_HOME or put java on the PATH)"
fi

# 2. The jars
if receiver_jar="$(first "$here/../lib/token-metrics-receiver.jar" "$here/../receiver/target/token-metrics-receiver.jar")"; then
  ok "receiver jar: $receiver_jar"
else
  fail "receiver jar not found: run scripts/install.sh"
fi
if statusline_jar="$(first "$here/../lib/claude-statusline.jar" "$here/../statusline/target/claude-statusline.jar")"; then
  ok "statusline jar: $statusline_jar"
else
  fail "statusline jar not found: run scripts/install.sh"
fi
fixtures=""
for candidate in "$here/../fixtures" "$here/../receiver/src/test/resources/claude-code"; do
  if [ -f "$candidate/cc-2.1.330-metrics-delta.json" ]; then fixtures="$(cd "$candidate" && pwd)"; break; fi
done
if [ -z "$fixtures" ]; then fail "the sample Claude Code exports are missing: run scripts/install.sh"; fi

# 3. The port
if ! ctm_valid_port "$CTM_PORT"; then fail "CLAUDE_TOKEN_METRICS_PORT '$CTM_PORT' is not a port number"
elif health="$(ctm_health)"; then ok "port $CTM_PORT: our receiver answers (pid $(ctm_health_field "$health" pid))"
elif ctm_port_busy "$CTM_PORT"; then fail "port $CTM_PORT is held by another program: set CLAUDE_TOKEN_METRICS_PORT to a free port"
else ok "port $CTM_PORT is free: the receiver can start there"; fi

# 4. The environment
endpoint="${OTEL_EXPORTER_OTLP_ENDPOINT:-}"
if [ -z "$endpoint" ]; then
  ok "no OTLP endpoint set yet (claude-token-config.sh or launch-claude-with-metrics.sh sets it)"
elif ! [[ "$endpoint" =~ ^https?://[A-Za-z0-9.:\[\]-]+(:[0-9]+)?/?$ ]]; then
  fail "OTEL_EXPORTER_OTLP_ENDPOINT '$endpoint' is malformed (expected http://host:port)"
elif [ "$endpoint" != "http://127.0.0.1:$CTM_PORT" ]; then
  warn "OTEL_EXPORTER_OTLP_ENDPOINT points at $endpoint, not this receiver: left over from another setup?"
else ok "OTEL_EXPORTER_OTLP_ENDPOINT is this receiver"; fi
if [ -n "$endpoint" ] && [ -z "${OTEL_EXPORTER_OTLP_PROTOCOL:-}" ]; then
  warn "OTEL_EXPORTER_OTLP_PROTOCOL is not set (Claude Code then sends http/protobuf, which works)"
fi
for var in OTEL_METRIC_EXPORT_INTERVAL OTEL_LOGS_EXPORT_INTERVAL; do
  value="${!var:-}"
  if [ -n "$value" ] && ! [[ "$value" =~ ^[0-9]+$ ]]; then fail "$var '$value' is not a number of milliseconds"; fi
done
for var in OTEL_EXPORTER_OTLP_METRICS_ENDPOINT OTEL_EXPORTER_OTLP_LOGS_ENDPOINT OTEL_EXPORTER_OTLP_HEADERS \
           OTEL_METRICS_EXPORTER_OVERRIDE; do
  if [ -n "${!var:-}" ]; then warn "$var is set ('${!var}'): left over from another telemetry setup?"; fi
done
if [ "${CLAUDE_TOKEN_TRACKING:-1}" = 0 ]; then warn "CLAUDE_TOKEN_TRACKING=0: tracking is disabled in this shell"; fi

# 5. ~/.claude
if mkdir -p "$HOME/.claude" 2>/dev/null && [ -w "$HOME/.claude" ]; then ok "$HOME/.claude is writable"
else fail "$HOME/.claude is not writable: the receiver could not write its metrics file"; fi

# 6. A throwaway receiver, real exports, the statusline: in a temporary HOME
if [ -n "${receiver_jar:-}" ] && [ -n "${statusline_jar:-}" ] && [ -n "$version" ] && [ -n "${statusline_version:-}" ] \
   && [ -n "$fixtures" ]; then
  scratch="$(mktemp -d)"
  # Port 0: the system picks a free port, and the receiver's log says which once it listens.
  HOME="$scratch" "$java" -jar "$receiver_jar" --port 0 >/dev/null 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$scratch"' EXIT
  port=""
  for _ in $(seq 300); do # 30 s: a loaded laptop starts a JVM slowly
    port="$(sed -n 's/.* listening on .*:\([0-9][0-9]*\), metrics file .*/\1/p' "$scratch/.claude/token-metrics/receiver.log" 2>/dev/null || true)"
    if [ -n "$port" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  # The first request a JVM serves loads its classes: seconds on a busy machine, not the usual milliseconds.
  if [ -n "$port" ] && curl -fs --max-time 10 "http://127.0.0.1:$port/health" | grep -q "$CTM_SERVICE"; then
    ok "a throwaway receiver runs on port $port (HOME=$scratch)"
    now="$(date +%s)000000000"
    sed -E "s/\"1795416[0-9]{12}\"/\"$now\"/g" "$fixtures/cc-2.1.330-metrics-delta.json" > "$scratch/export.json"
    code="$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
            --data-binary @"$scratch/export.json" "http://127.0.0.1:$port/v1/metrics")"
    if [ "$code" = 200 ]; then ok "http/json export accepted"; else fail "http/json export answered $code"; fi
    code="$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: gzip' \
            --data-binary @"$fixtures/cc-2.1.330-metrics-cumulative.pb.gz" "http://127.0.0.1:$port/v1/metrics")"
    if [ "$code" = 200 ]; then ok "http/protobuf (gzip) export accepted"; else fail "http/protobuf export answered $code"; fi
    sleep 0.5
    line="$(echo '{"session_id":"e2f7c84b-4b26-4b2e-b1d3-d07f29d53082","model":{"display_name":"Opus 5.5"},"cost":{"total_cost_usd":0.005024}}' \
            | HOME="$scratch" "$statusline_java" -jar "$statusline_jar" --metrics-file "$scratch/.claude/token-metrics.json")"
    if [[ "$line" == *"📊 1,372 tokens (actual)"* ]]; then ok "statusline: $line"
    else fail "statusline did not show the exported tokens: $line"; fi
  else
    fail "the throwaway receiver did not start: $(tail -n 1 "$scratch/.claude/token-metrics/receiver.log" 2>/dev/null || true)"
  fi
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed: fix them before enabling tracking (see TESTING-PROTOCOL.md)"
  exit 1
fi
echo "All checks passed: safe to continue with TESTING-PROTOCOL.md"
