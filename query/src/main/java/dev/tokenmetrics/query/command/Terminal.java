package dev.tokenmetrics.query.command;

import java.util.Map;

/**
 * What the table may use: the width (COLUMNS, else 120) and colours, only on a terminal (the launcher says so with
 * CLAUDE_TOKEN_METRICS_TTY=1) and unless NO_COLOR is set.
 */
public record Terminal(int width, boolean colour) {

    public static Terminal of(Map<String, String> environment) {
        int width = 120;
        try {
            width = Integer.parseInt(environment.getOrDefault("COLUMNS", "120").trim());
        } catch (NumberFormatException ignored) {
            // not a number: the default
        }
        boolean tty = "1".equals(environment.get("CLAUDE_TOKEN_METRICS_TTY"));
        String noColour = environment.get("NO_COLOR");
        return new Terminal(Math.max(width, 20), tty && (noColour == null || noColour.isEmpty()));
    }

    String paint(String code, String text) {
        return colour ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }
}
