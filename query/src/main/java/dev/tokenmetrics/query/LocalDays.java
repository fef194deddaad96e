package dev.tokenmetrics.query;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * The local date, in one time zone, of instants given in epoch milliseconds: the zone's rules asked once per offset
 * (a DST change starts another), not once per instant, for a report that dates thousands of rows in time order. Not
 * thread-safe: one per report.
 */
public final class LocalDays {
    private static final long DAY_MS = 86_400_000L;

    private final ZoneRules rules;
    /** The span [from, until) of epoch milliseconds over which the zone's offset is {@link #offsetMs}. */
    private long from = Long.MAX_VALUE;
    private long until = Long.MIN_VALUE;
    private long offsetMs;

    public LocalDays(ZoneId zone) {
        this.rules = zone.getRules();
    }

    /** The epoch day of {@code epochMs}'s local date, as {@code LocalDate.ofInstant(...).toEpochDay()}. */
    public long epochDay(long epochMs) {
        if (epochMs < from || epochMs >= until) {
            span(epochMs);
        }
        return Math.floorDiv(epochMs + offsetMs, DAY_MS);
    }

    private void span(long epochMs) {
        offsetMs = rules.getOffset(Instant.ofEpochMilli(epochMs)).getTotalSeconds() * 1000L;
        if (rules.isFixedOffset()) {
            from = Long.MIN_VALUE;
            until = Long.MAX_VALUE;
            return;
        }
        // transitions fall on whole seconds: the last one at or before epochMs is the last one before epochMs + 1
        ZoneOffsetTransition previous = epochMs == Long.MAX_VALUE ? null
                : rules.previousTransition(Instant.ofEpochMilli(epochMs + 1));
        ZoneOffsetTransition next = rules.nextTransition(Instant.ofEpochMilli(epochMs));
        from = previous == null ? Long.MIN_VALUE : Math.min(epochMs, millis(previous));
        until = next == null ? Long.MAX_VALUE : Math.max(epochMs + 1, millis(next));
    }

    private static long millis(ZoneOffsetTransition transition) {
        return transition.getInstant().getEpochSecond() * 1000L;
    }
}
