package dev.tokenmetrics.receiver.http;

/** What {@code GET /health} reports; {@link #SERVICE} is how scripts tell our daemon from another program. */
public record Health(String version, long pid, long uptimeSeconds, int sessions, String metricsFile) {
    public static final String SERVICE = "claude-token-metrics-receiver";
}
