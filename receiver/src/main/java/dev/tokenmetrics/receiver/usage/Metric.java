package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.WireReader;
import java.nio.charset.StandardCharsets;

/** The two Claude Code metrics whose sums we keep. */
public enum Metric {
    TOKEN_USAGE("claude_code.token.usage"),
    COST_USAGE("claude_code.cost.usage");

    private static final Metric[] ALL = values();

    private final String otelName;
    private final byte[] utf8Name;

    Metric(String otelName) {
        this.otelName = otelName;
        this.utf8Name = otelName.getBytes(StandardCharsets.UTF_8);
    }

    public String otelName() {
        return otelName;
    }

    /** The tracked metric with this name as it arrived on the wire (UTF-8), or null. */
    static Metric forName(WireReader name) {
        for (Metric metric : ALL) {
            if (name.contentEquals(metric.utf8Name)) {
                return metric;
            }
        }
        return null;
    }
}
