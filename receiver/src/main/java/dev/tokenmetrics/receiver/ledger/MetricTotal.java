package dev.tokenmetrics.receiver.ledger;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What Claude Code's metrics have counted for a session and model so far, exactly (the aggregator's totals: delta
 * retries and cumulative restarts already handled), as of {@code time}, the latest point that brought it;
 * {@code project} is the session's {@code project} resource attribute (the launcher's), null when not set.
 */
public record MetricTotal(String sessionId, String model, Instant time, long input, long output, long cacheRead,
                          long cacheCreation, BigDecimal costUsd, String project) {
}
