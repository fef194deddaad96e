package dev.tokenmetrics.query;

import java.time.Instant;

/** The time a report covers: from (inclusive) until (exclusive); a null end is open. */
public record Period(Instant from, Instant until) {
    public static final Period ALL = new Period(null, null);

    /** The period of the same length just before this one (for --compare). */
    public Period previous() {
        java.time.Duration length = java.time.Duration.between(from, until);
        return new Period(from.minus(length), from);
    }
}
