package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.aggregate.UsageAggregator;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.store.Commit;
import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.usage.Metric;
import dev.tokenmetrics.receiver.usage.StreamId;
import dev.tokenmetrics.receiver.usage.Temporality;
import dev.tokenmetrics.receiver.usage.TokenType;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer takes metric totals from the aggregator's report: exact, and not once per export. */
class LedgerWriterMetricsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private static final int EXPORTS = 2_000;

    @TempDir
    Path dir;

    private static UsageBatch cumulativeInput(int export) {
        long start = T0.getEpochSecond() * 1_000_000_000L;
        return new UsageBatch(List.of(new UsagePoint(new StreamId(1, 2), Metric.TOKEN_USAGE, Temporality.CUMULATIVE,
                "s1", "claude-opus-5-5", TokenType.INPUT, start, start + export * 1_000_000L, 10.0 * export)),
                List.of(), List.of());
    }

    @Test
    void aFloodOfMetricsExportsIsWrittenAboutOnceASecondAndEndsExact() throws Exception {
        var aggregator = new UsageAggregator(ZoneOffset.UTC);
        var reports = new AtomicInteger();
        Supplier<UsageReport> report = () -> {
            reports.incrementAndGet();
            synchronized (aggregator) {
                return aggregator.report(T0.plusSeconds(10));
            }
        };
        long started = System.nanoTime();
        Ledger ledger = Ledger.open(dir.resolve("usage.db"));
        var writer = new LedgerWriter(() -> ledger, LedgerRows::of, report, null, new Problems());
        try {
            for (int export = 1; export <= EXPORTS; export++) {
                UsageBatch batch = cumulativeInput(export);
                synchronized (aggregator) {
                    aggregator.apply(batch);
                }
                writer.committed(new Commit(export, List.of(batch), 1));
            }
            assertTrue(writer.awaitDurable(EXPORTS, Duration.ofSeconds(10)), "every commit written and synced");
            assertEquals(EXPORTS, writer.written());
        } finally {
            writer.close();
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        // The first at once, then at most one a second, and the one the sync asked for.
        assertTrue(reports.get() <= 3 + seconds, reports.get() + " writes of metric totals in " + seconds + " s");

        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"));
             var result = connection.createStatement().executeQuery(
                     "SELECT sum(input_tokens), count(*), min(source) FROM requests WHERE session_id = 's1'")) {
            assertEquals(10L * EXPORTS, result.getLong(1), "the cumulative series' last value, exactly");
            assertEquals(1, result.getInt(2), "one metrics row: one session, model and day");
            assertEquals("metrics", result.getString(3));
        }
    }
}
