package dev.tokenmetrics.receiver.transcripts;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Parses transcript timestamps. Claude Code writes JavaScript's {@code toISOString()},
 * {@code 2026-12-01T08:11:28.285Z}, on every line; that form is read directly, any other goes through
 * {@link Instant#parse}, whose formatter machinery is slow in a fresh JVM and costly per call.
 */
final class Timestamps {

    private Timestamps() {
    }

    /** @throws DateTimeException if the text is no ISO-8601 instant */
    static Instant parse(String text) {
        if (text.length() == 24 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.'
                && text.charAt(23) == 'Z') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 2);
            int day = digits(text, 8, 2);
            int hour = digits(text, 11, 2);
            int minute = digits(text, 14, 2);
            int second = digits(text, 17, 2);
            int millis = digits(text, 20, 3);
            if ((year | month | day | hour | minute | second | millis) >= 0 && hour < 24 && minute < 60
                    && second < 60) {
                long days = LocalDate.of(year, month, day).toEpochDay(); // checks the month and day
                return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second,
                        millis * 1_000_000L);
            }
        }
        return Instant.parse(text);
    }

    /** The number in {@code text[from, from + count)}, or -1 if it is not all ASCII digits. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
