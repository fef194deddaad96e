package dev.tokenmetrics.receiver.http;

import java.time.Duration;

/** The bounds that keep a misbehaving client from hurting the daemon. */
public record ServerLimits(
        int maxWireBytes,
        int maxDecodedBytes,
        int maxConnections,
        Duration idleTimeout,
        Duration requestTimeout) {

    public static final ServerLimits DEFAULTS = new ServerLimits(4 * 1024 * 1024, 32 * 1024 * 1024, 256,
            Duration.ofSeconds(60), Duration.ofSeconds(10));
}
