package dev.tokenmetrics.query;

import java.time.Duration;
import java.time.Instant;

/**
 * A 5-hour usage window as ccusage counts them: it starts at the hour of its first request (UTC) and holds the
 * requests of the next 5 hours, ending early after 5 hours without a request. {@code row.first()} and
 * {@code row.last()} are its first and last requests.
 */
public record Block(Row row, Instant start, Instant end, boolean active) {

    public static final Duration LENGTH = Duration.ofHours(5);

    /** Minutes between the first and last request; the burn rate's denominator. */
    public double activeMinutes() {
        return Duration.between(row.first(), row.last()).toMillis() / 60_000.0;
    }

    /** Tokens per minute of activity, or 0 when the block has a single instant of use. */
    public double tokensPerMinute() {
        double minutes = activeMinutes();
        return minutes > 0 ? row.usage().totalTokens() / minutes : 0;
    }

    /** Priced USD per hour of activity. */
    public double costPerHour() {
        double minutes = activeMinutes();
        return minutes > 0 ? row.usage().cost().doubleValue() / minutes * 60 : 0;
    }

    /** Whole minutes left in an active block at {@code now}. */
    public long remainingMinutes(Instant now) {
        return Math.max(0, Math.round(Duration.between(now, end).toMillis() / 60_000.0));
    }

    /** Tokens by the block's end if use goes on at the current rate. */
    public long projectedTokens(Instant now) {
        return Math.round(row.usage().totalTokens() + tokensPerMinute() * Duration.between(now, end).toMillis()
                / 60_000.0);
    }

    /** Priced cost by the block's end at the current rate. */
    public double projectedCost(Instant now) {
        double cost = row.usage().cost().doubleValue()
                + costPerHour() / 60 * Duration.between(now, end).toMillis() / 60_000.0;
        return Math.round(cost * 100) / 100.0;
    }
}
