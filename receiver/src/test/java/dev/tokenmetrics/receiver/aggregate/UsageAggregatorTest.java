package dev.tokenmetrics.receiver.aggregate;

import static dev.tokenmetrics.receiver.Otlp.CUMULATIVE;
import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.Metric;
import dev.tokenmetrics.receiver.usage.StreamId;
import dev.tokenmetrics.receiver.usage.Temporality;
import dev.tokenmetrics.receiver.usage.TokenType;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageAggregatorTest {

    private static final ZoneId ZONE = ZoneOffset.ofHours(2);
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final String OPUS = "claude-opus-4-1";

    private UsageAggregator aggregator = new UsageAggregator(ZONE);

    private int apply(ExportMetricsServiceRequest request) {
        return aggregator.apply(Otlp.extract(request).batch());
    }

    private SessionReport session(String id, Instant now) {
        return aggregator.report(now).session(id);
    }

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static void assertCost(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected " + expected + " but was " + actual);
    }

    @Test
    void deltaPointsAdd() {
        apply(usage("s1", OPUS, DELTA, at(0), at(5), 100, 10, 1000, 50, 0.25));
        apply(usage("s1", OPUS, DELTA, at(5), at(10), 200, 20, 2000, 0, 0.5));

        SessionReport s1 = session("s1", at(10));
        assertEquals(new TokenCounts(300, 30, 3000, 50), s1.usage().tokens());
        assertEquals(3380, s1.usage().tokens().total());
        assertCost("0.75", s1.usage().costUsd());
    }

    @Test
    void aRetriedDeltaExportCountsOnce() {
        ExportMetricsServiceRequest export = usage("s1", OPUS, DELTA, at(0), at(5), 100, 10, 0, 0, 0.1);
        assertEquals(5, apply(export));
        apply(usage("s1", OPUS, DELTA, at(5), at(10), 1, 1, 0, 0, 0.01));
        assertEquals(0, apply(export), "the retry arrives after the next export and still changes nothing");

        assertEquals(new TokenCounts(101, 11, 0, 0), session("s1", at(10)).usage().tokens());
        assertCost("0.11", session("s1", at(10)).usage().costUsd());
    }

    @Test
    void cumulativePointsContributeTheirIncrease() {
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(5), 100, 10, 0, 0, 0.1));
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(10), 250, 30, 0, 0, 0.3));
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(15), 250, 30, 0, 0, 0.3));

        assertEquals(new TokenCounts(250, 30, 0, 0), session("s1", at(15)).usage().tokens());
        assertCost("0.3", session("s1", at(15)).usage().costUsd());
    }

    @Test
    void cumulativeIncreasesAddUpToTheLastValueExactly() {
        double[] totals = {0.005024000000000001, 0.013383999999999998, 0.1, 0.30000000000000004};
        for (int i = 0; i < totals.length; i++) {
            apply(usage("s1", OPUS, CUMULATIVE, at(0), at(5 * (i + 1)), 0, 0, 0, 0, totals[i]));
        }
        assertCost("0.30000000000000004", session("s1", at(20)).usage().costUsd());
    }

    @Test
    void aChangedStartTimeIsANewSeriesThatCountsInFull() {
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(5), 100, 0, 0, 0, 0));
        apply(usage("s1", OPUS, CUMULATIVE, at(6), at(10), 40, 0, 0, 0, 0)); // the client restarted its counters

        assertEquals(140, session("s1", at(10)).usage().tokens().input());
    }

    @Test
    void aSmallerCumulativeValueIsAReset() {
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(5), 100, 0, 0, 0, 0));
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(10), 30, 0, 0, 0, 0));

        assertEquals(130, session("s1", at(10)).usage().tokens().input());
    }

    @Test
    void aCumulativePointOlderThanTheLastSeenIsIgnored() {
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(10), 100, 0, 0, 0, 0));
        assertEquals(0, apply(usage("s1", OPUS, CUMULATIVE, at(0), at(5), 60, 0, 0, 0, 0)));
        assertEquals(0, apply(usage("s1", OPUS, CUMULATIVE, at(0), at(10), 100, 0, 0, 0, 0)), "a retry");
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(15), 120, 0, 0, 0, 0));

        assertEquals(120, session("s1", at(15)).usage().tokens().input());
    }

    @Test
    void sessionsAndModelsAreKeptApart() {
        apply(usage("s1", OPUS, DELTA, at(0), at(5), 100, 0, 0, 0, 1));
        apply(usage("s1", "claude-haiku-4-5", DELTA, at(0), at(5), 7, 0, 0, 0, 0.01));
        apply(usage("s2", OPUS, DELTA, at(0), at(6), 5, 0, 0, 0, 0.5));

        SessionReport s1 = session("s1", at(10));
        assertEquals(107, s1.usage().tokens().input());
        assertEquals(100, s1.models().get(OPUS).tokens().input());
        assertEquals(7, s1.models().get("claude-haiku-4-5").tokens().input());
        assertCost("1.01", s1.usage().costUsd());
        assertEquals(5, session("s2", at(10)).usage().tokens().input());
        assertEquals("s2", aggregator.report(at(10)).sessions().get(0).sessionId(), "most recently active first");
    }

    @Test
    void todayCountsEverySessionByTheLocalDateOfItsPoints() {
        // 21:30 UTC is 23:30 in the +02:00 zone; 22:30 UTC is already the next local day.
        Instant lateEvening = Instant.parse("2026-11-24T21:30:00Z");
        Instant afterMidnight = Instant.parse("2026-11-24T22:30:00Z");
        apply(usage("s1", OPUS, DELTA, lateEvening.minusSeconds(5), lateEvening, 100, 0, 0, 0, 1));
        apply(usage("s2", OPUS, DELTA, afterMidnight.minusSeconds(5), afterMidnight, 10, 0, 0, 0, 0.1));
        apply(usage("s1", OPUS, DELTA, afterMidnight.minusSeconds(4), afterMidnight.plusSeconds(1), 1, 0, 0, 0, 0.01));

        UsageReport report = aggregator.report(afterMidnight.plusSeconds(60));
        assertEquals(LocalDate.of(2026, 11, 25), report.today());
        assertEquals(11, report.todayUsage().tokens().input());
        assertCost("0.11", report.todayUsage().costUsd());
    }

    @Test
    void sessionsIdleForMoreThanADayLeaveTheReportButTodayStillCountsThem() {
        apply(usage("old", OPUS, DELTA, at(0), at(5), 100, 0, 0, 0, 1));
        Instant aDayLater = at(5).plus(Duration.ofHours(24)).plusSeconds(1);
        apply(usage("new", OPUS, DELTA, aDayLater.minusSeconds(5), aDayLater, 1, 0, 0, 0, 0));

        UsageReport report = aggregator.report(aDayLater);
        assertNull(report.session("old"));
        assertEquals(1, report.sessions().size());
        assertEquals(2, aggregator.sessionCount(), "kept in memory for a week");
    }

    @Test
    void burnRateIsTokensPerMinuteOverTheLastFiveMinutes() {
        apply(usage("s1", OPUS, DELTA, at(0), at(60), 1000, 0, 0, 0, 0));       // leaves the window
        apply(usage("s1", OPUS, DELTA, at(60), at(400), 2000, 500, 0, 0, 0));
        apply(usage("s1", OPUS, DELTA, at(400), at(600), 1000, 0, 500, 0, 0));

        // window (300 s, 600 s]: 4000 tokens over 5 minutes
        assertEquals(800, session("s1", at(600)).tokensPerMinute());
    }

    @Test
    void aYoungSessionsBurnRateIsMeasuredOverItsAgeOfAtLeastAMinute() {
        apply(usage("s1", OPUS, DELTA, at(0), at(30), 600, 0, 0, 0, 0));
        assertEquals(600, session("s1", at(30)).tokensPerMinute(), "half a minute old: counted as one minute");
        apply(usage("s1", OPUS, DELTA, at(30), at(120), 600, 0, 0, 0, 0));
        assertEquals(600, session("s1", at(120)).tokensPerMinute(), "1200 tokens over two minutes");
    }

    @Test
    void activityAndTheLatestModelAreTracked() {
        apply(usage("s1", OPUS, DELTA, at(0), at(5), 1, 0, 0, 0, 0));
        apply(usage("s1", "claude-haiku-4-5", DELTA, at(5), at(9), 1, 0, 0, 0, 0));

        SessionReport s1 = session("s1", at(10));
        assertEquals(at(0), s1.firstActivity(), "usage began at the first point's start");
        assertEquals(at(9), s1.lastActivity());
        assertEquals("claude-haiku-4-5", s1.lastModel());
        assertEquals("2.1.331", s1.resource().get("service.version"));
        assertEquals("xterm", s1.resource().get("terminal.type"));
    }

    @Test
    void aSessionSeenOnlyInLogEventsIsNotReportedUntilItsUsageArrives() {
        aggregator.apply(new UsageBatch(List.of(), List.of(new ApiRequest("s1", OPUS, Otlp.nanos(at(3)), 42)),
                List.of()));
        assertNull(session("s1", at(4)), "no metric yet: the session's tokens are unknown, not zero");

        apply(usage("s1", OPUS, DELTA, at(0), at(5), 100, 0, 0, 0, 0.1));
        assertEquals(1, session("s1", at(6)).apiRequests());
        assertEquals(100, session("s1", at(6)).usage().tokens().input());
    }

    @Test
    void activeSessionsAreThoseTheReportListsWithActivityAfterTheGivenInstant() {
        apply(usage("early", OPUS, DELTA, at(0), at(5), 1, 0, 0, 0, 0));
        apply(usage("late", OPUS, DELTA, at(0), at(30), 1, 0, 0, 0, 0));
        apply(Otlp.request(List.of(Otlp.kv("claude_token_metrics.launch", "L1")),
                Otlp.sum(Otlp.TOKENS, DELTA, Otlp.point("launched", OPUS, "input", at(0), at(30), 1))));
        aggregator.apply(new UsageBatch(List.of(), List.of(new ApiRequest("logsOnly", OPUS, Otlp.nanos(at(30)), 1)),
                List.of()));

        assertEquals(2, aggregator.activeSessions(at(5), resource -> false),
                "'early' ended at the instant itself; 'logsOnly' has no usage, so the report leaves it out");
        assertEquals(3, aggregator.activeSessions(at(4), resource -> false));
        assertEquals(1, aggregator.activeSessions(at(5),
                resource -> "L1".equals(resource.get("claude_token_metrics.launch"))));
        Instant since = at(5);
        assertEquals(aggregator.report(at(31)).sessions().stream().filter(s -> s.lastActivity().isAfter(since)).count(),
                aggregator.activeSessions(since, resource -> false));
    }

    @Test
    void totalsSaturateRatherThanWrapPastALong() {
        // 9,300 points just under the plausibility limit of earlier releases (1e15), as their journals may hold:
        // together 9.3e18, past Long.MAX_VALUE (9.22e18).
        var points = new ArrayList<UsagePoint>();
        for (int i = 0; i < 9_300; i++) {
            points.add(new UsagePoint(new StreamId(7, i), Metric.TOKEN_USAGE, Temporality.DELTA, "s1", OPUS,
                    TokenType.INPUT, Otlp.nanos(at(0)), Otlp.nanos(at(5)), 999_999_999_999_999.0));
        }
        aggregator.apply(new UsageBatch(points, List.of(), List.of(), Otlp.nanos(at(5))));
        apply(usage("s1", OPUS, DELTA, at(5), at(10), 0, 42, 0, 0, 0));

        TokenCounts session = session("s1", at(10)).usage().tokens();
        TokenCounts today = aggregator.report(at(10)).todayUsage().tokens();
        assertEquals(new TokenCounts(Long.MAX_VALUE, 42, 0, 0), session);
        assertEquals(Long.MAX_VALUE, session.total());
        assertEquals(new TokenCounts(Long.MAX_VALUE, 42, 0, 0), today);
        assertEquals(Long.MAX_VALUE, today.total());
        assertTrue(session("s1", at(10)).tokensPerMinute() > 0, "the burn rate is not negative either");
    }

    @Test
    void restoredStateContinuesCumulativeStreamsWithoutCountingTwice() throws IOException {
        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(5), 100, 10, 0, 0, 0.1));
        apply(usage("s2", OPUS, DELTA, at(0), at(5), 7, 0, 0, 0, 0.07));

        var bytes = new ByteArrayOutputStream();
        AggregatorCodec.write(aggregator, new DataOutputStream(bytes));
        aggregator = AggregatorCodec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), ZONE);

        apply(usage("s1", OPUS, CUMULATIVE, at(0), at(10), 150, 10, 0, 0, 0.15));
        assertEquals(0, apply(usage("s2", OPUS, DELTA, at(0), at(5), 7, 0, 0, 0, 0.07)), "a delta retry");
        SessionReport s1 = session("s1", at(10));
        assertEquals(new TokenCounts(150, 10, 0, 0), s1.usage().tokens());
        assertCost("0.15", s1.usage().costUsd());
        assertEquals(7, session("s2", at(10)).usage().tokens().input());
        assertEquals("2.1.331", s1.resource().get("service.version"));
    }
}
