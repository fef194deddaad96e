package dev.tokenmetrics.receiver.http;

/**
 * What {@code GET /health} reports; {@link #SERVICE} is how scripts tell our daemon from another program.
 * {@code activeSessions}: sessions with usage in the last minute, not counting those launched with the
 * {@code claude_token_metrics.launch} resource attribute the request names in {@code ?exclude-launch=}, so that a
 * launcher can tell whether anyone else still exports before it stops the daemon it started.
 */
public record Health(String version, long pid, long uptimeSeconds, int sessions, int activeSessions,
                     String metricsFile) {
    public static final String SERVICE = "claude-token-metrics-receiver";
    public static final String LAUNCH_ATTRIBUTE = "claude_token_metrics.launch";
}
