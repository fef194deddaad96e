package dev.tokenmetrics.receiver.publish;

import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.UsageAggregator;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.store.Problems;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The active 5-hour block as the metrics file and the live file publish it (docs/METRICS-FILE.md, {@code block}). */
class BlockReportTest {

    private static final Instant START = Instant.parse("2026-12-01T08:00:00Z");
    private static final Instant END = Instant.parse("2026-12-01T13:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    /** $1.50 over the 30 minutes from 08:30 to 09:00: $3 an hour, 3 h left at 10:00. */
    private static BlockReport block(BigDecimal cost) {
        return BlockReport.at(NOW, START, END, Instant.parse("2026-12-01T08:30:00Z"),
                Instant.parse("2026-12-01T09:00:00Z"), new TokenCounts(1000, 200, 3000, 800), cost);
    }

    private static UsageReport report() {
        var aggregator = new UsageAggregator(ZoneOffset.UTC);
        aggregator.apply(Otlp.extract(usage("s1", "claude-opus-4-1", DELTA, NOW.minusSeconds(9), NOW.minusSeconds(5),
                10, 2, 0, 0, 0.01)).batch());
        return aggregator.report(NOW);
    }

    @Test
    void projectsTheBurnRateBetweenTheFirstAndLastRequestToTheBlocksEnd() {
        BlockReport block = block(new BigDecimal("1.5"));
        assertEquals(0, new BigDecimal("10.5").compareTo(block.projectedCostUsd()), "1.50 + 3 h × $3/h");
        assertEquals(5000 + 5000 * 6, block.projectedTokens(), "5,000 tokens per 30 minutes, 6 × 30 minutes left");
    }

    @Test
    void aBlockOfOneInstantProjectsNoFurtherUseAndAnUnpricedOneNoCost() {
        BlockReport instant = BlockReport.at(NOW, START, END, NOW, NOW, new TokenCounts(1, 2, 3, 4),
                new BigDecimal("0.25"));
        assertEquals(new BigDecimal("0.25"), instant.projectedCostUsd());
        assertEquals(10, instant.projectedTokens());
        assertNull(block(null).projectedCostUsd());
    }

    @Test
    void theMetricsFileHasTheBlockBetweenTodayAndTheSessions() throws Exception {
        Path path = dir.resolve("token-metrics.json");
        new MetricsFile(path).write(report(), block(new BigDecimal("1.5")));

        JsonNode json = new ObjectMapper().readTree(path.toFile());
        Iterator<String> names = json.fieldNames();
        var order = new java.util.ArrayList<String>();
        names.forEachRemaining(order::add);
        assertEquals(List.of("schemaVersion", "timestamp", "totals", "totalUsed", "model", "sessionId", "today",
                "block", "sessions"), order);
        JsonNode block = json.get("block");
        assertEquals("2026-12-01T08:00:00Z", block.get("start").asText());
        assertEquals("2026-12-01T13:00:00Z", block.get("end").asText());
        assertEquals("2026-12-01T08:30:00Z", block.get("firstRequest").asText());
        assertEquals("2026-12-01T09:00:00Z", block.get("lastRequest").asText());
        assertEquals(5000, block.get("tokens").get("total").asLong());
        assertEquals(800, block.get("tokens").get("cacheCreation").asLong());
        assertEquals("1.5", block.get("costUsd").decimalValue().toPlainString());
        assertEquals(35000, block.get("projectedTokens").asLong());
        assertEquals("10.5", block.get("projectedCostUsd").decimalValue().toPlainString());
    }

    @Test
    void noActiveBlockIsNoBlockObjectRatherThanZeros() throws Exception {
        Path path = dir.resolve("token-metrics.json");
        new MetricsFile(path).write(report(), null);
        assertFalse(new ObjectMapper().readTree(path.toFile()).has("block"));

        new MetricsFile(path).write(report(), block(null));
        JsonNode unpriced = new ObjectMapper().readTree(path.toFile()).get("block");
        assertTrue(unpriced.get("costUsd").isNull(), "unpriced is unknown, never $0: " + unpriced);
        assertTrue(unpriced.get("projectedCostUsd").isNull());
    }

    @Test
    void theLiveFileHasTheBlockRightAfterItsHeader() throws Exception {
        Path path = dir.resolve("token-metrics.live.tsv");
        new LiveFile(path).write(report(), block(new BigDecimal("1.5")));
        List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
        assertEquals("ctm-block\t" + START.toEpochMilli() + "\t" + END.toEpochMilli() + "\t5000\t1.5\t10.5",
                lines.get(1));
        assertTrue(lines.get(2).startsWith("s1\t"), lines.toString());

        new LiveFile(path).write(report(), block(null));
        assertEquals("ctm-block\t" + START.toEpochMilli() + "\t" + END.toEpochMilli() + "\t5000\t-\t-",
                Files.readAllLines(path, StandardCharsets.US_ASCII).get(1));

        new LiveFile(path).write(report(), null);
        assertTrue(Files.readAllLines(path, StandardCharsets.US_ASCII).stream()
                .noneMatch(line -> line.startsWith("ctm-block")));
    }

    @Test
    void thePublisherAsksForTheBlockAtTheReportsInstantAndWritesNoneWhenTheLedgerFails() throws Exception {
        Path metrics = dir.resolve("token-metrics.json");
        var asked = new java.util.ArrayList<Instant>();
        new MetricsFilePublisher(new MetricsFile(metrics), BlockReportTest::report, now -> {
            asked.add(now);
            return Optional.of(block(new BigDecimal("1.5")));
        }, new Problems()).close();
        assertTrue(asked.stream().allMatch(NOW::equals), asked.toString());
        assertEquals("10.5", new ObjectMapper().readTree(metrics.toFile()).get("block").get("projectedCostUsd")
                .decimalValue().toPlainString());

        new MetricsFilePublisher(new MetricsFile(metrics), BlockReportTest::report, now -> {
            throw new IllegalStateException("the ledger is locked");
        }, new Problems()).close();
        JsonNode json = new ObjectMapper().readTree(metrics.toFile());
        assertFalse(json.has("block"), json.toString());
        assertTrue(json.get("sessions").has("s1"), "the rest of the file is written");
    }
}
