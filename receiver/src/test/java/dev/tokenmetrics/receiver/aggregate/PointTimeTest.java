package dev.tokenmetrics.receiver.aggregate;

import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What a point's time means when the client's clock is wrong. */
class PointTimeTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final LocalDate TODAY = LocalDate.of(2026, 11, 24);
    private static final String OPUS = "claude-opus-4-1";

    private final UsageAggregator aggregator = new UsageAggregator(ZoneOffset.UTC);

    /** An export of {@code input} tokens whose window ends at {@code time}, received at {@code received}. */
    private int apply(String session, Instant time, long input, Instant received) {
        return aggregator.apply(Otlp.extract(usage(session, OPUS, DELTA, time.minusSeconds(5), time, input, 0, 0, 0, 0),
                received).batch());
    }

    @Test
    void anExportDatedYearsAheadCountsAsReceivedAndIsNotActiveForYears() {
        apply("future", NOW.plus(Duration.ofDays(3650)), 100, NOW);
        apply("current", NOW.plusSeconds(400), 1, NOW.plusSeconds(400));

        UsageReport report = aggregator.report(NOW.plusSeconds(400));
        assertEquals("current", report.sessions().get(0).sessionId(), "the metrics file's top-level session");
        assertEquals(NOW.plus(UsageAggregator.FUTURE_TOLERANCE), report.session("future").lastActivity());
        assertEquals(101, report.todayUsage().tokens().input());
        assertEquals(1, aggregator.activeSessions(NOW.plusSeconds(340), resource -> false), "only 'current'");
        assertNull(aggregator.report(NOW.plus(Duration.ofDays(2))).session("future"), "left the report after a day");
    }

    @Test
    void exportsDatedDaysAheadDoNotTakeTodaysPlace() {
        apply("s1", NOW, 100, NOW);
        for (int days = 1; days <= 8; days++) {
            apply("s" + days, NOW.plus(Duration.ofDays(days)), 10, NOW.plusSeconds(days));
        }

        UsageReport report = aggregator.report(NOW.plusSeconds(60));
        assertEquals(TODAY, report.today());
        assertEquals(180, report.todayUsage().tokens().input(), "today's 100 and the eight future exports' 80");
    }

    @Test
    void aClockAFewMinutesFastIsBelieved() {
        Instant fast = NOW.plus(UsageAggregator.FUTURE_TOLERANCE).minusSeconds(1);
        apply("s1", fast, 100, NOW);

        assertEquals(fast, aggregator.report(NOW).session("s1").lastActivity());
    }

    @Test
    void retriesAreRecognisedByTheTimesAsSentEvenWhenTheyAreClamped() {
        Instant received = NOW;
        assertEquals(5, apply("s1", NOW.plus(Duration.ofDays(3)), 100, received));
        assertEquals(5, apply("s1", NOW.plus(Duration.ofDays(3)).plusSeconds(5), 10, received),
                "the next window, although both count as received + 5 minutes");
        assertEquals(0, apply("s1", NOW.plus(Duration.ofDays(3)), 100, received.plusSeconds(30)), "a retry");

        assertEquals(110, aggregator.report(NOW).session("s1").usage().tokens().input());
    }

    @Test
    void aPointDatedBeforeTheDaysKeptCountsForItsSessionButNoDay() {
        apply("s1", NOW, 100, NOW);
        apply("s1", NOW.minus(Duration.ofDays(30)), 7, NOW.plusSeconds(1));

        UsageReport report = aggregator.report(NOW.plusSeconds(2));
        assertEquals(107, report.session("s1").usage().tokens().input());
        assertEquals(100, report.todayUsage().tokens().input());
        assertEquals(TODAY, aggregator.days.firstKey(), "no entry for a day a week before the newest");
    }

    @Test
    void theEightDaysKeptEndWithTheNewest() {
        for (int day = 0; day < 10; day++) {
            Instant time = NOW.plus(Duration.ofDays(day));
            apply("s" + day, time, 1, time);
        }

        assertEquals(8, aggregator.days.size());
        assertEquals(TODAY.plusDays(2), aggregator.days.firstKey());
        assertEquals(TODAY.plusDays(9), aggregator.days.lastKey());
    }

    @Test
    void aBatchOfUnknownReceiptTakesItsTimesAsSent() {
        UsageBatch recorded = Otlp.extract(usage("s1", OPUS, DELTA, NOW.plusSeconds(3595), NOW.plusSeconds(3600), 5, 0,
                0, 0, 0), NOW).batch();
        aggregator.apply(new UsageBatch(recorded.points(), recorded.apiRequests(), recorded.resources()));

        assertEquals(NOW.plusSeconds(3600), aggregator.report(NOW).session("s1").lastActivity(),
                "as journals written before receive times were replay");
    }
}
