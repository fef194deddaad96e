package dev.tokenmetrics.query;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How instants are written: ISO-8601 UTC with milliseconds, as the ledger's {@code time} and ccusage write them. */
public final class Times {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** The length of {@code 2026-12-01T19:13:25.123Z}. */
    static final int ISO_LENGTH = 24;
    /** 10000-01-01T00:00:00Z: the fast path writes four-digit years from 1970. */
    private static final long END_MS = 253_402_300_800_000L;

    private Times() {
    }

    public static String iso(Instant instant) {
        long ms;
        try {
            ms = instant.toEpochMilli();
        } catch (ArithmeticException e) {
            return ISO.format(instant);
        }
        byte[] text = new byte[ISO_LENGTH];
        return iso(ms, text, 0) < 0 ? ISO.format(instant) : new String(text, StandardCharsets.US_ASCII);
    }

    /**
     * Writes {@code epochMs} as {@link #iso(Instant)} does into {@code into} at {@code at}, without a formatter (a
     * report writes two a row); returns the bytes written, or -1 outside 1970-9999 (written by the formatter).
     */
    static int iso(long epochMs, byte[] into, int at) {
        if (epochMs < 0 || epochMs >= END_MS) {
            return -1;
        }
        long days = epochMs / 86_400_000L;
        int msOfDay = (int) (epochMs % 86_400_000L);
        date(days, into, at);
        into[at + 10] = 'T';
        digits(into, at + 11, msOfDay / 3_600_000, 2);
        into[at + 13] = ':';
        digits(into, at + 14, msOfDay / 60_000 % 60, 2);
        into[at + 16] = ':';
        digits(into, at + 17, msOfDay / 1000 % 60, 2);
        into[at + 19] = '.';
        digits(into, at + 20, msOfDay % 1000, 3);
        into[at + 23] = 'Z';
        return ISO_LENGTH;
    }

    /** The epoch day of 10000-01-01: the fast path writes four-digit years from 1970. */
    private static final long END_DAY = END_MS / 86_400_000L;

    /**
     * Writes the date of an epoch day as {@link java.time.LocalDate#toString()} does ({@code 2026-12-01}) into
     * {@code into} at {@code at}; returns the bytes written, or -1 outside 1970-9999 (nothing written).
     */
    static int date(long epochDay, byte[] into, int at) {
        if (epochDay < 0 || epochDay >= END_DAY) {
            return -1;
        }
        // the civil date of a day count (H. Hinnant's days_from_civil, inverted), from 0000-03-01 in 400-year eras
        long z = epochDay + 719_468;
        long era = z / 146_097;
        int dayOfEra = (int) (z - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int mp = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        int year = (int) (yearOfEra + era * 400) + (month <= 2 ? 1 : 0);
        digits(into, at, year, 4);
        into[at + 4] = '-';
        digits(into, at + 5, month, 2);
        into[at + 7] = '-';
        digits(into, at + 8, day, 2);
        return DATE_LENGTH;
    }

    /** The length of {@code 2026-12-01}. */
    static final int DATE_LENGTH = 10;

    private static void digits(byte[] into, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            into[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
