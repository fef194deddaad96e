package dev.tokenmetrics.receiver.usage;

/**
 * One accepted data point of a tracked metric. {@code sessionId} is empty when the client does not send one
 * (Claude Code with OTEL_METRICS_INCLUDE_SESSION_ID=false): such points count for the day only.
 * {@code tokenType} is null for cost points.
 */
public record UsagePoint(
        StreamId stream,
        Metric metric,
        Temporality temporality,
        String sessionId,
        String model,
        TokenType tokenType,
        long startNanos,
        long timeNanos,
        double value) {
}
