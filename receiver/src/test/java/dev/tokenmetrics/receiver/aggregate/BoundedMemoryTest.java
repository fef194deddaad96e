package dev.tokenmetrics.receiver.aggregate;

import static dev.tokenmetrics.receiver.Otlp.CUMULATIVE;
import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.usage.SessionResource;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the aggregator remembers, and that it stays within its bounds whatever arrives. */
class BoundedMemoryTest {

    private static final ZoneId ZONE = ZoneOffset.UTC;
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final String OPUS = "claude-opus-4-1";

    private final UsageAggregator aggregator = new UsageAggregator(ZONE);

    /** One API call's export as Claude Code sends it (five delta points and the resource), received at once. */
    private static UsageBatch export(String session, Instant time) {
        return export(session, DELTA, time.minusSeconds(5), time);
    }

    private static UsageBatch export(String session, AggregationTemporality temporality, Instant start, Instant time) {
        return Otlp.extract(usage(session, OPUS, temporality, start, time, 100, 10, 1000, 50, 0.25), time).batch();
    }

    private static byte[] encoded(UsageAggregator aggregator) throws IOException {
        var bytes = new ByteArrayOutputStream();
        AggregatorCodec.write(aggregator, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static UsageAggregator decoded(byte[] state) throws IOException {
        return AggregatorCodec.read(new DataInputStream(new ByteArrayInputStream(state)), ZONE);
    }

    @Test
    void fiftyThousandSessionsLeaveTheMostRecentTenThousandWithinTheBound() {
        for (int i = 0; i < 50_000; i++) {
            aggregator.apply(export("s" + i, T0.plusMillis(100L * i)));
        }

        assertEquals(UsageAggregator.MAX_SESSIONS, aggregator.sessionCount());
        assertEquals(UsageAggregator.MAX_STREAMS, aggregator.streamCount());
        assertTrue(aggregator.retainedBytes() <= UsageAggregator.MAX_RETAINED_BYTES,
                () -> aggregator.retainedBytes() + " bytes");
        assertTrue(aggregator.sessions.containsKey("s40000"));
        assertTrue(aggregator.sessions.containsKey("s49999"));
        assertFalse(aggregator.sessions.containsKey("s39999"), "the least recently updated went first");
        assertEquals(50_000 * 1160L, aggregator.report(T0.plusSeconds(5000)).todayUsage().tokens().total(),
                "today still counts every session");
    }

    @Test
    void sessionsTooLargeForTheByteBoundAreEvictedSooner() {
        // The most resource the extractor lets through: 32 attributes and the terminal, 256 characters each.
        var resource = new LinkedHashMap<String, String>();
        for (int a = 0; a < 33; a++) {
            resource.put(String.format("%0256d", a), "v".repeat(256));
        }
        for (int i = 0; i < 5_000; i++) {
            UsageBatch batch = export("s" + i, T0.plusSeconds(i));
            aggregator.apply(new UsageBatch(batch.points(), List.of(),
                    List.of(new SessionResource("s" + i, resource)), batch.receivedNanos()));
        }

        assertTrue(aggregator.retainedBytes() <= UsageAggregator.MAX_RETAINED_BYTES,
                () -> aggregator.retainedBytes() + " bytes");
        int kept = aggregator.sessionCount();
        assertTrue(kept > 1_000 && kept < 5_000, () -> kept + " sessions of some 20 KB each in 32 MiB");
        assertTrue(aggregator.sessions.containsKey("s4999"));
    }

    @Test
    void evictionTakesTheLeastRecentlyUpdatedNotTheOldest() {
        for (int i = 0; i < UsageAggregator.MAX_SESSIONS; i++) {
            aggregator.apply(export("s" + i, T0.plusSeconds(i)));
        }
        aggregator.apply(export("s0", T0.plusSeconds(20_000)));
        aggregator.apply(export("new", T0.plusSeconds(20_001)));

        assertEquals(UsageAggregator.MAX_SESSIONS, aggregator.sessionCount());
        assertTrue(aggregator.sessions.containsKey("s0"), "updated again: among the most recent");
        assertFalse(aggregator.sessions.containsKey("s1"));
        assertEquals(2 * 1160, aggregator.report(T0.plusSeconds(20_002)).session("s0").usage().tokens().total());
    }

    /** Batches that exercise eviction, compaction, retries and cumulative streams. */
    private static List<UsageBatch> history() {
        var batches = new ArrayList<UsageBatch>();
        for (int i = 0; i < 12_000; i++) {
            Instant time = T0.plusSeconds(3L * i);
            batches.add(export("s" + i % 11_000, time));
            if (i % 7 == 0) {
                batches.add(export("c" + i % 50, CUMULATIVE, T0, time));
            }
            if (i % 5 == 0) {
                batches.add(batches.get(batches.size() - 2)); // a retry
            }
        }
        return batches;
    }

    @Test
    void theSameBatchesGiveTheSameStateAlsoAcrossARestore() throws IOException {
        List<UsageBatch> batches = history();
        var other = new UsageAggregator(ZONE);
        UsageAggregator restored = null;
        for (int i = 0; i < batches.size(); i++) {
            aggregator.apply(batches.get(i));
            other.apply(batches.get(i));
            if (i == batches.size() / 2) {
                restored = decoded(encoded(other));
            } else if (restored != null) {
                restored.apply(batches.get(i));
            }
        }

        byte[] state = encoded(aggregator);
        assertEquals(UsageAggregator.MAX_SESSIONS, aggregator.sessionCount(), "the history reaches the bounds");
        assertArrayEquals(state, encoded(other));
        assertArrayEquals(state, encoded(restored), "a restore in between changes nothing, evictions included");
        assertEquals(aggregator.retainedBytes(), restored.retainedBytes());
    }

    @Test
    void aSessionIdleForADayKeepsItsTotalsAndLittleElse() {
        String id = "0b5c2ad4-6a31-4a47-9a8e-0d7f25c4f1e3";
        aggregator.apply(export(id, DELTA, T0.minusSeconds(5), T0));
        aggregator.apply(export(id, CUMULATIVE, T0.minusSeconds(5), T0));
        SessionState idle = aggregator.sessions.get(id);
        long busyBytes = idle.retainedBytes();
        SessionReport before = aggregator.report(T0).session(id);

        aggregator.apply(export("other", T0.plus(Duration.ofHours(25))));

        assertEquals(1, idle.models.size());
        assertEquals(before.usage(), idle.total());
        assertEquals(Map.of(), idle.resource, "no longer reported: its resource returns with its next export");
        assertEquals(0, idle.burnBuckets());
        assertTrue(idle.retainedBytes() < busyBytes);
        long kept = Footprint.MAP_ENTRY + Footprint.string(id) + idle.retainedBytes();
        assertTrue(kept < 512, () -> kept + " bytes");
        assertEquals(5 + 5, aggregator.streamCount(), "its five cumulative streams and the other session's deltas");

        aggregator.apply(export(id, T0.plus(Duration.ofHours(26))));
        SessionReport back = aggregator.report(T0.plus(Duration.ofHours(26))).session(id);
        assertNotNull(back);
        assertEquals("2.1.331", back.resource().get("service.version"));
    }

    @Test
    void deltaWindowsAreForgottenOnceNoExporterCanStillRetry() {
        UsageBatch first = export("s1", T0);
        aggregator.apply(first);
        aggregator.apply(export("s2", T0.plus(UsageAggregator.RETRY_HORIZON).minusSeconds(1)));
        assertEquals(0, aggregator.apply(first), "within the horizon a retry is recognised");
        assertEquals(10, aggregator.streamCount());

        aggregator.apply(export("s3", T0.plus(UsageAggregator.RETRY_HORIZON).plus(Duration.ofMinutes(11))));
        assertEquals(10, aggregator.streamCount(), "s2's and s3's");
        for (var point : first.points()) {
            assertFalse(aggregator.streams.streams().containsKey(point.stream()), "s1's are gone");
        }
        assertEquals(1160, aggregator.report(T0).session("s1").usage().tokens().total(), "its totals are not");
    }

    @Test
    void theReportListsTheThousandMostRecentlyActiveSessionsAndTodayCountsAll() {
        for (int i = 0; i < 1_500; i++) {
            aggregator.apply(export("s" + i, T0.plusSeconds(i)));
        }

        UsageReport report = aggregator.report(T0.plusSeconds(1_500));
        assertEquals(UsageAggregator.MAX_REPORTED_SESSIONS, report.sessions().size());
        assertEquals("s1499", report.sessions().get(0).sessionId());
        assertEquals("s500", report.sessions().get(999).sessionId());
        assertEquals(1_500 * 1160L, report.todayUsage().tokens().total());
        assertEquals(1_500, aggregator.activeSessions(T0.minusSeconds(1), resource -> false),
                "/health counts every active session, listed or not");
    }
}
