package dev.tokenmetrics.statusline;

import java.io.File;
import java.util.Map;

/** The command line and environment, resolved. */
record Options(File metricsFile, long maxAgeSeconds, double dailyBudgetUsd, String[] segments, boolean color,
               boolean trackingDisabled, File cacheDir) {

    static final String DEFAULT_FORMAT = "model,cost,today,tokens,burn";
    static final String SEGMENTS = "model,cost,today,tokens,burn,hourly,context,block";
    static final String USAGE = "usage: claude-statusline [--metrics-file PATH] [--max-age SECONDS] [--daily-budget USD]"
            + " [--format SEGMENTS] [--color auto|always|never]\n"
            + "  reads Claude Code's statusLine JSON on stdin and prints one line.\n"
            + "  SEGMENTS: comma-separated, from " + SEGMENTS + " (default " + DEFAULT_FORMAT + ")\n";

    /** Thrown for an option that cannot be used; the message is one line. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static Options parse(String[] args, Map<String, String> env) {
        String home = env.get("HOME");
        File claudeDir = home == null || home.isEmpty() ? null : new File(home, ".claude");
        String fileEnv = env.get("CLAUDE_TOKEN_METRICS_FILE");
        File metricsFile = fileEnv != null && !fileEnv.isEmpty() ? new File(fileEnv)
                : claudeDir == null ? null : new File(claudeDir, "token-metrics.json");
        long maxAge = 60;
        double budget = positiveOrNaN(env.get("CLAUDE_TOKEN_DAILY_BUDGET"));
        String format = DEFAULT_FORMAT;
        String color = "auto";
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--metrics-file", "--max-age", "--daily-budget", "--format", "--color" -> { }
                default -> throw new Invalid("unknown option " + option);
            }
            if (i + 1 >= args.length) {
                throw new Invalid("missing value for " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--metrics-file" -> metricsFile = new File(value);
                case "--max-age" -> {
                    double seconds = positiveOrNaN(value);
                    if (Double.isNaN(seconds)) {
                        throw new Invalid("--max-age takes a number of seconds");
                    }
                    maxAge = (long) seconds;
                }
                case "--daily-budget" -> {
                    budget = positiveOrNaN(value);
                    if (Double.isNaN(budget)) {
                        throw new Invalid("--daily-budget takes an amount of US dollars");
                    }
                }
                case "--format" -> format = value;
                case "--color" -> {
                    if (!value.equals("auto") && !value.equals("always") && !value.equals("never")) {
                        throw new Invalid("--color takes auto, always or never");
                    }
                    color = value;
                }
                default -> throw new Invalid("unknown option " + option);
            }
        }
        String[] segments = segments(format);
        String noColor = env.get("NO_COLOR");
        boolean colorOn = color.equals("always")
                || (color.equals("auto") && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM")));
        boolean disabled = "0".equals(env.get("CLAUDE_TOKEN_TRACKING"));
        File cacheDir = claudeDir == null ? null : new File(claudeDir, "token-metrics/statusline");
        return new Options(metricsFile, maxAge, budget, segments, colorOn, disabled, cacheDir);
    }

    private static String[] segments(String format) {
        String[] names = format.split(",", -1); // String.split with a one-char literal takes a fast path, no regex
        for (int i = 0; i < names.length; i++) {
            names[i] = names[i].trim();
            switch (names[i]) {
                case "model", "cost", "today", "tokens", "burn", "hourly", "context", "block" -> { }
                default -> throw new Invalid("unknown segment '" + names[i] + "' in --format; use " + SEGMENTS);
            }
        }
        return names;
    }

    private static double positiveOrNaN(String text) {
        if (text == null || text.isEmpty()) {
            return Double.NaN;
        }
        try {
            double value = Double.parseDouble(text.trim());
            return value > 0 && value < 1e12 ? value : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
