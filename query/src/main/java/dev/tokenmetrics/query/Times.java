package dev.tokenmetrics.query;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How instants are written: ISO-8601 UTC with milliseconds, as the ledger's {@code time} and ccusage write them. */
public final class Times {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    public static String iso(Instant instant) {
        return ISO.format(instant);
    }
}
