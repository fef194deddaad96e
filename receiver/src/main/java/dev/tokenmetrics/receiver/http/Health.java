package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.forward.ForwardStats;
import java.util.List;

/**
 * What {@code GET /health} reports; {@link #SERVICE} is how scripts tell our daemon from another program.
 * {@code status} is "ok", or "degraded" while {@code problems} names what is wrong (a disk that refuses writes, a
 * metrics file that cannot be written, what recovery could not read): the daemon still answers, so that scripts
 * still recognise it, and says what it cannot do.
 * {@code activeSessions}: sessions with usage in the last minute, not counting those launched with the
 * {@code claude_token_metrics.launch} resource attribute the request names in {@code ?exclude-launch=}, so that a
 * launcher can tell whether anyone else still exports before it stops the daemon it started.
 * {@code forwarding}: what forwarding to the team's collector does (docs/FORWARDING.md), null when it is off.
 */
public record Health(String version, long pid, long uptimeSeconds, int sessions, int activeSessions,
                     String metricsFile, List<String> problems, ForwardStats forwarding) {
    public static final String SERVICE = "claude-token-metrics-receiver";
    public static final String LAUNCH_ATTRIBUTE = "claude_token_metrics.launch";

    public Health {
        problems = List.copyOf(problems);
    }

    /** Without forwarding. */
    public Health(String version, long pid, long uptimeSeconds, int sessions, int activeSessions, String metricsFile,
                  List<String> problems) {
        this(version, pid, uptimeSeconds, sessions, activeSessions, metricsFile, problems, null);
    }

    public String status() {
        return problems.isEmpty() ? "ok" : "degraded";
    }
}
