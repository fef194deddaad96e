package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenmetrics.query.Json;
import dev.tokenmetrics.query.LocalDays;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A report's dates and numbers written without java.time or Long.toString per row (docs/PERFORMANCE.md, reports)
 * are what those wrote: local dates across every DST change of zones with whole-hour, half-hour and 30-minute DST
 * offsets, in and out of time order; integers of every length; dates outside the years the fast path writes.
 */
class DatesAndNumbersTest {

    private static final Json.Name N = Json.Name.of("n");
    private static final Json.Name DAY = Json.Name.of("day");

    @Test
    void localDaysAreLocalDateOfInstantAcrossEveryOffsetChange() {
        var random = new Random(15);
        long start = Instant.parse("1965-01-01T00:00:00Z").toEpochMilli();
        long end = Instant.parse("2045-01-01T00:00:00Z").toEpochMilli();
        for (String name : List.of("UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe",
                "Pacific/Chatham", "America/St_Johns", "Pacific/Apia", "Asia/Tokyo")) {
            ZoneId zone = ZoneId.of(name);
            var times = new ArrayList<Long>();
            // every transition in the span, and the milliseconds around it
            ZoneOffsetTransition transition = zone.getRules().nextTransition(Instant.ofEpochMilli(start));
            while (transition != null && transition.getInstant().toEpochMilli() < end) {
                long at = transition.getInstant().toEpochMilli();
                for (long delta : new long[] {-86_400_000L, -3_600_001L, -1, 0, 1, 3_599_999L, 86_400_000L}) {
                    times.add(at + delta);
                }
                transition = zone.getRules().nextTransition(transition.getInstant());
            }
            for (int i = 0; i < 20_000; i++) {
                times.add(start + Math.floorMod(random.nextLong(), end - start));
            }
            times.addAll(List.of(0L, -1L, Long.MIN_VALUE / 4, Long.MAX_VALUE / 4));
            long[] ordered = times.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] backwards = new long[ordered.length];
            for (int i = 0; i < ordered.length; i++) {
                backwards[i] = ordered[ordered.length - 1 - i];
            }
            Collections.shuffle(times, random);
            long[] shuffled = times.stream().mapToLong(Long::longValue).toArray();
            for (long[] order : List.of(ordered, backwards, shuffled)) {
                var days = new LocalDays(zone); // one per report: asked in any order, it answers alike
                for (long ms : order) {
                    assertEquals(LocalDate.ofInstant(Instant.ofEpochMilli(ms), zone).toEpochDay(), days.epochDay(ms),
                            name + " at " + ms);
                }
            }
        }
    }

    @Test
    void datesAreWrittenAsLocalDateWritesThem() {
        var random = new Random(15);
        var days = new ArrayList<>(List.of(0L, -1L, 59L, 10_956L /* 2000-01-01 */, 11_016L /* 2000-02-29 */,
                47_541L /* 2100-03-01 */, 2_932_896L /* 9999-12-31 */, 2_932_897L, -719_528L, 365_000_000L));
        for (int i = 0; i < 50_000; i++) {
            days.add(Math.floorMod(random.nextLong(), 3_000_000L) - 30_000);
        }
        for (long day : days) {
            assertEquals("{\n  \"day\": \"" + LocalDate.ofEpochDay(day) + "\"\n}",
                    new Json().object().date(DAY, day).end().toString(), "epoch day " + day);
        }
    }

    @Test
    void integersAreWrittenAsLongToStringWritesThem() {
        var random = new Random(15);
        var values = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 99L, 100L, 101L, (long) Integer.MAX_VALUE,
                Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, -10L));
        long power = 1;
        for (int i = 0; i < 19; i++) {
            values.addAll(List.of(power - 1, power, power + 1, -power));
            power *= 10;
        }
        for (int i = 0; i < 100_000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        for (long value : values) {
            assertEquals("{\n  \"n\": " + value + "\n}", new Json().object().field(N, value).end().toString(),
                    "value " + value);
        }
    }
}
