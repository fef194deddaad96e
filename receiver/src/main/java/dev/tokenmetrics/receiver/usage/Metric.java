package dev.tokenmetrics.receiver.usage;

/** The two Claude Code metrics whose sums we keep. */
public enum Metric {
    TOKEN_USAGE("claude_code.token.usage"),
    COST_USAGE("claude_code.cost.usage");

    private final String otelName;

    Metric(String otelName) {
        this.otelName = otelName;
    }

    public String otelName() {
        return otelName;
    }

    public static Metric forName(String name) {
        for (Metric metric : values()) {
            if (metric.otelName.equals(name)) {
                return metric;
            }
        }
        return null;
    }
}
