package dev.tokenmetrics.receiver.forward;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Forwarding as the user wrote it, options over environment (docs/FORWARDING.md), not yet checked: a mistake here
 * must not stop the receiver, so it is {@link ForwardConfig#of checked} by the daemon, which reports it and runs on.
 * Our own names, never {@code OTEL_*}: in Claude Code's environment those point at this receiver.
 */
public record ForwardSettings(String endpoint, String metricsEndpoint, String logsEndpoint, String tracesEndpoint,
                              List<String> headers, String compression, String timeout, String queueMax,
                              String retryMax, String resourceAttributes) {

    public static final ForwardSettings NONE = new ForwardSettings(null, null, null, null, List.of(), null, null,
            null, null, null);

    public ForwardSettings {
        headers = List.copyOf(headers);
    }

    /** The environment's settings: {@code CLAUDE_TOKEN_FORWARD_*}. */
    public static ForwardSettings fromEnvironment(Map<String, String> env) {
        String headers = env.get("CLAUDE_TOKEN_FORWARD_HEADERS");
        return new ForwardSettings(env.get("CLAUDE_TOKEN_FORWARD_ENDPOINT"),
                env.get("CLAUDE_TOKEN_FORWARD_METRICS_ENDPOINT"), env.get("CLAUDE_TOKEN_FORWARD_LOGS_ENDPOINT"),
                env.get("CLAUDE_TOKEN_FORWARD_TRACES_ENDPOINT"),
                headers == null || headers.isBlank() ? List.of() : List.of(headers),
                env.get("CLAUDE_TOKEN_FORWARD_COMPRESSION"), env.get("CLAUDE_TOKEN_FORWARD_TIMEOUT"),
                env.get("CLAUDE_TOKEN_FORWARD_QUEUE_MAX"), env.get("CLAUDE_TOKEN_FORWARD_RETRY_MAX"),
                env.get("CLAUDE_TOKEN_FORWARD_RESOURCE_ATTRIBUTES"));
    }

    /** Whether anything asks for forwarding: off by default. */
    public boolean enabled() {
        return present(endpoint) || present(metricsEndpoint) || present(logsEndpoint) || present(tracesEndpoint);
    }

    /** Whether a command-line option is one of ours. */
    public static boolean isOption(String option) {
        return switch (option) {
            case "--forward-endpoint", "--forward-metrics-endpoint", "--forward-logs-endpoint",
                 "--forward-traces-endpoint", "--forward-header", "--forward-compression", "--forward-timeout",
                 "--forward-queue-max", "--forward-retry-max", "--forward-resource-attributes" -> true;
            default -> false;
        };
    }

    /**
     * These settings with a command-line option applied. A {@code --forward-header} adds to the environment's
     * headers; every other option replaces its variable.
     */
    public ForwardSettings with(String option, String value) {
        return switch (option) {
            case "--forward-endpoint" -> new ForwardSettings(value, metricsEndpoint, logsEndpoint, tracesEndpoint,
                    headers, compression, timeout, queueMax, retryMax, resourceAttributes);
            case "--forward-metrics-endpoint" -> new ForwardSettings(endpoint, value, logsEndpoint, tracesEndpoint,
                    headers, compression, timeout, queueMax, retryMax, resourceAttributes);
            case "--forward-logs-endpoint" -> new ForwardSettings(endpoint, metricsEndpoint, value, tracesEndpoint,
                    headers, compression, timeout, queueMax, retryMax, resourceAttributes);
            case "--forward-traces-endpoint" -> new ForwardSettings(endpoint, metricsEndpoint, logsEndpoint, value,
                    headers, compression, timeout, queueMax, retryMax, resourceAttributes);
            case "--forward-header" -> {
                var more = new ArrayList<>(headers);
                more.add(value);
                yield new ForwardSettings(endpoint, metricsEndpoint, logsEndpoint, tracesEndpoint, more,
                        compression, timeout, queueMax, retryMax, resourceAttributes);
            }
            case "--forward-compression" -> new ForwardSettings(endpoint, metricsEndpoint, logsEndpoint,
                    tracesEndpoint, headers, value, timeout, queueMax, retryMax, resourceAttributes);
            case "--forward-timeout" -> new ForwardSettings(endpoint, metricsEndpoint, logsEndpoint, tracesEndpoint,
                    headers, compression, value, queueMax, retryMax, resourceAttributes);
            case "--forward-queue-max" -> new ForwardSettings(endpoint, metricsEndpoint, logsEndpoint,
                    tracesEndpoint, headers, compression, timeout, value, retryMax, resourceAttributes);
            case "--forward-retry-max" -> new ForwardSettings(endpoint, metricsEndpoint, logsEndpoint,
                    tracesEndpoint, headers, compression, timeout, queueMax, value, resourceAttributes);
            case "--forward-resource-attributes" -> new ForwardSettings(endpoint, metricsEndpoint, logsEndpoint,
                    tracesEndpoint, headers, compression, timeout, queueMax, retryMax, value);
            default -> throw new IllegalArgumentException("unknown option " + option);
        };
    }

    static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
