package dev.tokenmetrics.query;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/** A time zone's offset as SQL over {@code time_ms}: one CASE branch per offset change (DST) in a span. */
final class LocalTime {
    private LocalTime() {
    }

    /** True when the zone's offset is a whole number of hours from first to last, changing only on the hour. */
    static boolean wholeHours(ZoneId zone, long firstMs, long lastMs) {
        ZoneRules rules = zone.getRules();
        Instant first = Instant.ofEpochMilli(firstMs);
        if (rules.getOffset(first).getTotalSeconds() % 3600 != 0) {
            return false;
        }
        ZoneOffsetTransition transition = rules.nextTransition(first);
        while (transition != null && transition.getInstant().toEpochMilli() <= lastMs) {
            if (transition.getInstant().getEpochSecond() % 3600 != 0
                    || transition.getOffsetAfter().getTotalSeconds() % 3600 != 0) {
                return false;
            }
            transition = rules.nextTransition(transition.getInstant());
        }
        return true;
    }

    /** An SQL expression: the zone's UTC offset in milliseconds at {@code time_ms}, exact between first and last. */
    static String offsetMs(ZoneId zone, long firstMs, long lastMs) {
        ZoneRules rules = zone.getRules();
        Instant first = Instant.ofEpochMilli(firstMs);
        long offset = rules.getOffset(first).getTotalSeconds() * 1000L;
        var sql = new StringBuilder("CASE");
        ZoneOffsetTransition transition = rules.nextTransition(first);
        boolean changes = false;
        while (transition != null && transition.getInstant().toEpochMilli() <= lastMs) {
            sql.append(" WHEN time_ms < ").append(transition.getInstant().toEpochMilli()).append(" THEN ")
                    .append(offset);
            offset = transition.getOffsetAfter().getTotalSeconds() * 1000L;
            changes = true;
            transition = rules.nextTransition(transition.getInstant());
        }
        return changes ? sql.append(" ELSE ").append(offset).append(" END").toString() : Long.toString(offset);
    }
}
