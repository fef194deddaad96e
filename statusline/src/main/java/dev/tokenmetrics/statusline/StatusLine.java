package dev.tokenmetrics.statusline;

/**
 * Builds the line from what is known. With fresh metrics for the session:
 * {@code 🤖 Opus 4.1 | 💰 $0.15 session / $0.35 today | 📊 54,231 tokens (actual) | 🔥 850 tok/min};
 * without: {@code 🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens}. A segment whose figure is unknown is left out.
 * "(actual)" is claimed only when the receiver has everything Claude Code's own cost (stdin's
 * {@code cost.total_cost_usd}) says was spent; while it is behind (an export not yet in, an outage) the line shows
 * Claude Code's cost, never a lower one, and the receiver's tokens marked "(pending)".
 */
final class StatusLine {

    static final long FUTURE_SKEW_MILLIS = 5_000;
    /** How far the receiver's session cost may be below Claude Code's and still be the same (rounding): a micro-dollar. */
    static final double SAME_COST_USD = 1e-6;
    /** The shortest duration a cost per hour is taken over. */
    static final double MIN_DURATION_MS = 60_000;
    private static final String YELLOW = "\u001b[33m";
    private static final String RED = "\u001b[31m";
    private static final String RESET = "\u001b[0m";

    private StatusLine() {
    }

    /** True when the file describes this session and was written within max-age (and not from the future). */
    static boolean isFresh(Metrics metrics, long nowMillis, long maxAgeSeconds) {
        return metrics != null && metrics.sessionFound() && isCurrent(metrics, nowMillis, maxAgeSeconds);
    }

    /** True when the file was written within max-age (and not from the future), whatever sessions it lists. */
    static boolean isCurrent(Metrics metrics, long nowMillis, long maxAgeSeconds) {
        if (metrics == null || metrics.timestampMillis() < 0) {
            return false;
        }
        long age = nowMillis - metrics.timestampMillis();
        return age <= maxAgeSeconds * 1000 && age >= -FUTURE_SKEW_MILLIS;
    }

    /**
     * @param metrics the metrics file's view, or null when there is none
     * @param estimatedTokens the transcript estimate, or -1 when unknown (only used without fresh metrics)
     * @param nowMillis the time, for the 5-hour block's time left; the block is shown only from a current file
     *                  ({@link #isCurrent}), whether or not it lists the session: the block is the machine's
     */
    static String render(StatusInput input, Metrics metrics, boolean fresh, long estimatedTokens, Options options,
                         long nowMillis) {
        var line = new StringBuilder(96);
        String previous = null;
        for (String segment : options.segments()) {
            String text = switch (segment) {
                case "model" -> model(input, metrics);
                case "cost" -> cost(input, metrics, fresh);
                case "today" -> fresh ? today(metrics.todayCostUsd(), options) : null;
                case "tokens" -> tokens(metrics, fresh, behind(input, metrics, fresh), estimatedTokens);
                case "burn" -> fresh && metrics.tokensPerMinute() >= 0
                        ? "🔥 " + Numbers.grouped(metrics.tokensPerMinute()) + " tok/min" : null;
                case "hourly" -> hourly(input, sessionCost(input, metrics, fresh));
                case "context" -> context(input.contextUsedPercent());
                case "block" -> isCurrent(metrics, nowMillis, options.maxAgeSeconds())
                        ? block(metrics.block(), nowMillis) : null;
                default -> null;
            };
            if (text == null) {
                continue;
            }
            // today beside the session's cost, cost per hour beside tokens per minute: one emoji for each pair
            boolean paired = (segment.equals("today") && "cost".equals(previous))
                    || (segment.equals("hourly") && "burn".equals(previous));
            if (paired) {
                line.append(" / ").append(text);
            } else {
                if (line.length() > 0) {
                    line.append(" | ");
                }
                line.append(segment.equals("today") ? "💰 " : segment.equals("hourly") ? "🔥 " : "").append(text);
            }
            previous = segment;
        }
        return line.toString();
    }

    private static String model(StatusInput input, Metrics metrics) {
        String name = nonEmpty(input.modelDisplayName());
        if (name == null) {
            name = nonEmpty(input.modelId());
        }
        if (name == null && metrics != null) {
            name = nonEmpty(metrics.sessionModel()) != null ? metrics.sessionModel() : nonEmpty(metrics.fileModel());
        }
        return name == null ? null : "🤖 " + name;
    }

    private static String cost(StatusInput input, Metrics metrics, boolean fresh) {
        double cost = sessionCost(input, metrics, fresh);
        return Double.isNaN(cost) || cost < 0 ? null : "💰 " + Numbers.dollars(cost) + " session";
    }

    /** The session's cost as the line shows it: the receiver's while it is fresh and not behind, else Claude Code's. */
    private static double sessionCost(StatusInput input, Metrics metrics, boolean fresh) {
        return fresh && !Double.isNaN(metrics.sessionCostUsd()) && !behind(input, metrics, fresh)
                ? metrics.sessionCostUsd() : input.costUsd();
    }

    /**
     * The session's cost per hour of its wall-clock time as Claude Code counts it ({@code cost.total_duration_ms}),
     * at least a minute, so that a session's first seconds do not show an absurd rate.
     */
    private static String hourly(StatusInput input, double cost) {
        double duration = input.durationMs();
        if (Double.isNaN(cost) || cost < 0 || Double.isNaN(duration) || duration < 0 || duration > 1e15) {
            return null;
        }
        double rate = cost * 3_600_000 / Math.max(duration, MIN_DURATION_MS);
        return Numbers.dollars(rate) + "/h";
    }

    /** The context window's use as Claude Code reports it ({@code context_window.used_percentage}), whole percent. */
    private static String context(double percent) {
        return Double.isNaN(percent) || percent < 0 || percent > 1e6 ? null : "🧠 " + Math.round(percent) + "% context";
    }

    /**
     * The machine's active 5-hour block: time left, in whole minutes rounded up (so it reads 1m until the block
     * ends), and its cost so far → projected to its end at the current rate; no cost when it is unpriced.
     */
    private static String block(Metrics.Block block, long nowMillis) {
        if (block == null || nowMillis >= block.endMillis()) {
            return null;
        }
        long minutes = (block.endMillis() - nowMillis + 59_999) / 60_000;
        String left = minutes >= 60 ? minutes / 60 + "h" + (minutes % 60 < 10 ? "0" : "") + minutes % 60 + "m"
                : minutes + "m";
        double cost = block.costUsd();
        double projected = block.projectedCostUsd();
        boolean costs = cost >= 0 && cost <= 1e12 && projected >= 0 && projected <= 1e12; // NaN fails every test
        return "⏳ " + left + " left" + (costs ? " · " + Numbers.dollars(cost) + " → " + Numbers.dollars(projected)
                : "");
    }

    /** Whether the receiver has less of this session than Claude Code's own cost says was spent. */
    static boolean behind(StatusInput input, Metrics metrics, boolean fresh) {
        return fresh && !Double.isNaN(input.costUsd()) && !Double.isNaN(metrics.sessionCostUsd())
                && metrics.sessionCostUsd() < input.costUsd() - SAME_COST_USD;
    }

    private static String today(double cost, Options options) {
        if (Double.isNaN(cost) || cost < 0) {
            return null;
        }
        String text = Numbers.dollars(cost) + " today";
        double budget = options.dailyBudgetUsd();
        if (Double.isNaN(budget)) {
            return text;
        }
        if (cost >= budget) {
            return options.color() ? RED + "⚠ " + text + RESET : "⚠ " + text;
        }
        if (cost >= 0.8 * budget && options.color()) {
            return YELLOW + text + RESET;
        }
        return text;
    }

    private static String tokens(Metrics metrics, boolean fresh, boolean behind, long estimatedTokens) {
        if (fresh && metrics.sessionTokens() >= 0) {
            return "📊 " + Numbers.grouped(metrics.sessionTokens()) + " tokens " + (behind ? "(pending)" : "(actual)");
        }
        return estimatedTokens >= 0 ? Numbers.grouped(estimatedTokens) + " tokens" : null;
    }

    private static String nonEmpty(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
