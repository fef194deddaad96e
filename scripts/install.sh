#!/usr/bin/env bash
# install.sh [--force] [--service] [--no-build] | --uninstall
# Builds claude-token-metrics (Maven, tests skipped) and installs it for this user:
#   ~/.local/share/claude-token-metrics/{bin,lib}   launchers and jars
#   ~/.local/bin/                                   links to the commands
#   ~/.cache/claude-token-metrics/                  the statusline's start-up cache, recorded now (the
#                                                   receiver's, by its first daemon as it stops)
#   ~/.claude/settings.json                         our statusLine, merged in (backed up first; other keys kept)
# Idempotent. A different statusLine is kept unless --force. --service also installs a systemd user unit (Linux) or
# a launchd agent (macOS) that runs the receiver from login. --uninstall removes exactly what this added (your
# usage data in ~/.claude/token-metrics stays).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
share="$HOME/.local/share/claude-token-metrics"
bindir="$HOME/.local/bin"
settings="$HOME/.claude/settings.json"
commands=(token-metrics-receiver claude-statusline claude-token-metrics start-token-proxy.sh stop-token-proxy.sh
          launch-claude-with-metrics.sh claude-token-safe-test.sh)
unit="$HOME/.config/systemd/user/claude-token-metrics.service"
agent="$HOME/Library/LaunchAgents/dev.tokenmetrics.receiver.plist"
# The line for the user's profile; it does nothing once the project is uninstalled.
config_line="if [ -f \"\$HOME/.local/share/claude-token-metrics/bin/claude-token-config.sh\" ]; then . \"\$HOME/.local/share/claude-token-metrics/bin/claude-token-config.sh\"; fi"
profile="$HOME/.bashrc"
case "${SHELL:-}" in */zsh) profile="$HOME/.zshrc" ;; esac
tilde() { printf '%s\n' "~${1#"$HOME"}"; }

force=0; service=0; uninstall=0
build=1
if [ "${CLAUDE_TOKEN_METRICS_SKIP_BUILD:-0}" = 1 ]; then build=0; fi # same as --no-build, for scripted runs
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --service) service=1 ;;
    --no-build) build=0 ;;
    --uninstall) uninstall=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
# shellcheck source=token-metrics-common.sh
. "$repo/scripts/token-metrics-common.sh"
java="$(ctm_find_java 17)" || java=""

if [ "$uninstall" = 1 ]; then
  if [ -x "$share/bin/stop-token-proxy.sh" ]; then "$share/bin/stop-token-proxy.sh" >/dev/null 2>&1 || true; fi
  if [ -f "$unit" ]; then
    systemctl --user disable --now claude-token-metrics.service >/dev/null 2>&1 || true
    rm -f "$unit"
  fi
  if [ -f "$agent" ]; then
    launchctl unload "$agent" >/dev/null 2>&1 || true
    rm -f "$agent"
  fi
  if [ -f "$share/lib/token-metrics-installer.jar" ]; then
    [ -n "$java" ] || { echo "install.sh: Java 17 or newer is needed to take our statusLine out of $settings (set JAVA_HOME)" >&2; exit 1; }
    "$java" -jar "$share/lib/token-metrics-installer.jar" uninstall "$settings" "$share/bin/claude-statusline"
  fi
  for command in "${commands[@]}"; do
    link="$bindir/$command"
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$share/bin/$command" ]; then rm -f "$link"; fi
  done
  rm -rf "$share" "${XDG_CACHE_HOME:-$HOME/.cache}/claude-token-metrics"
  echo "claude-token-metrics uninstalled (usage data kept in ~/.claude/token-metrics)"
  for file in "$HOME/.bashrc" "$HOME/.zshrc" "$HOME/.bash_profile" "$HOME/.zprofile" "$HOME/.profile"; do
    if grep -qs 'claude-token-config\.sh' "$file"; then
      echo "Remove from $(tilde "$file") the line that loads claude-token-config.sh:"
      grep -n 'claude-token-config\.sh' "$file" | sed 's/^\([0-9]*\):/  line \1: /'
    fi
  done
  exit 0
fi

[ -n "$java" ] || { echo "install.sh: Java 17 or newer is needed (set JAVA_HOME or put java on the PATH)" >&2; exit 1; }
if [ "$build" = 1 ]; then
  command -v mvn >/dev/null || { echo "install.sh: Maven is needed to build (or pass --no-build after building)" >&2; exit 1; }
  # Quiet and colourless; some Maven builds (Debian's 3.8) print colour resets even so: they are cut out, and what
  # is left, only problems in quiet mode, goes to stderr.
  esc="$(printf '\033')"
  (cd "$repo" && mvn -q -B -Dstyle.color=never -DskipTests package 2>&1) | sed "s/$esc\[[0-9;]*m//g" >&2
fi
for jar in receiver/target/token-metrics-receiver.jar statusline/target/claude-statusline.jar \
           installer/target/token-metrics-installer.jar reports/target/claude-token-metrics-reports.jar; do
  [ -f "$repo/$jar" ] || { echo "install.sh: $jar is missing; build first (mvn -q -DskipTests package)" >&2; exit 1; }
done

# Each file is copied beside its target and renamed over it: a receiver still running from the old jar keeps
# reading the old file (an in-place copy would change the jar under its feet).
replace() { cp "$1" "$2.new.$$" && mv -f "$2.new.$$" "$2"; }
mkdir -p "$share/bin" "$share/lib" "$share/fixtures" "$bindir"
for jar in receiver/target/token-metrics-receiver.jar statusline/target/claude-statusline.jar \
           installer/target/token-metrics-installer.jar reports/target/claude-token-metrics-reports.jar; do
  replace "$repo/$jar" "$share/lib/$(basename "$jar")"
done
for fixture in "$repo"/receiver/src/test/resources/claude-code/cc-2.1.330-metrics-*; do # for the safe test
  replace "$fixture" "$share/fixtures/$(basename "$fixture")"
done
for script in "${commands[@]}" claude-token-config.sh token-metrics-common.sh; do
  replace "$repo/scripts/$script" "$share/bin/$script"
  chmod +x "$share/bin/$script"
done
for command in "${commands[@]}"; do ln -sfn "$share/bin/$command" "$bindir/$command"; done
"$share/bin/claude-statusline" --prepare

status=0
extra=()
if [ "$force" = 1 ]; then extra+=(--force); fi
"$java" -jar "$share/lib/token-metrics-installer.jar" install "$settings" "$share/bin/claude-statusline" \
  ${extra[@]+"${extra[@]}"} || status=$?

if [ "$service" = 1 ]; then
  if [ "$(uname -s)" = Darwin ]; then
    mkdir -p "$(dirname "$agent")"
    cat > "$agent" <<PLIST
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>Label</key><string>dev.tokenmetrics.receiver</string>
  <key>ProgramArguments</key><array><string>$share/bin/token-metrics-receiver</string></array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
</dict></plist>
PLIST
    launchctl unload "$agent" >/dev/null 2>&1 || true
    launchctl load "$agent"
  else
    mkdir -p "$(dirname "$unit")"
    cat > "$unit" <<UNIT
[Unit]
Description=claude-token-metrics receiver (Claude Code telemetry to ~/.claude/token-metrics.json)

[Service]
ExecStart=$share/bin/token-metrics-receiver
Restart=on-failure

[Install]
WantedBy=default.target
UNIT
    if systemctl --user daemon-reload 2>/dev/null; then
      systemctl --user enable --now claude-token-metrics.service
    else
      echo "install.sh: wrote $unit; no systemd user session here, so enable it later with: systemctl --user enable --now claude-token-metrics.service"
    fi
  fi
fi

echo "claude-token-metrics installed in $share (commands linked in $bindir)"
case ":$PATH:" in
  *":$bindir:"* | *":$bindir/:"*) ;;
  *) echo "$(tilde "$bindir") is not on your PATH, so its commands are not found; add this line to $(tilde "$profile"):"
     # shellcheck disable=SC2016 # the line is for the profile, expanded there
     echo '  export PATH="$HOME/.local/bin:$PATH"' ;;
esac
if grep -qsF "$config_line" "$profile"; then
  echo "$(tilde "$profile") already loads claude-token-config.sh in every shell"
elif grep -qs 'claude-token-config\.sh' "$profile"; then
  echo "Replace the line that loads claude-token-config.sh in $(tilde "$profile") with this one, harmless once uninstalled:"
  echo "  $config_line"
else
  echo "To send Claude Code's telemetry to the receiver from every shell, add this line to $(tilde "$profile"):"
  echo "  $config_line"
fi
echo "Or run Claude Code through: launch-claude-with-metrics.sh"
exit "$status"
