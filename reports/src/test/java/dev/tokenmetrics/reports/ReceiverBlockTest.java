package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.RunningReceiver;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statusline's 5-hour block is the reports' active block: the receiver publishes, in the metrics file, the same
 * window, tokens, cost and projection as {@code claude-token-metrics blocks --json} shows on the same ledger at the
 * same instant (docs/METRICS-FILE.md, {@code block}).
 */
class ReceiverBlockTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPUS = "claude-opus-4-5";

    @TempDir
    Path home;

    @Test
    void theMetricsFilesBlockIsTheBlocksReportsActiveBlock() throws Exception {
        Instant now = Instant.now();
        Path database = Files.createDirectories(home.resolve(".claude/token-metrics")).resolve("usage.db");
        new TestLedger()
                .request("s0", iso(now.minus(Duration.ofHours(9))), OPUS, 5_000, 100, 0, 0, "9", CostSource.EXACT)
                .request("s1", iso(now.minus(Duration.ofMinutes(190))), OPUS, 1_000, 200, 300, 40_000, "0.75",
                        CostSource.EXACT)
                .request("s1", iso(now.minus(Duration.ofMinutes(150))), OPUS, 2_000, 400, 0, 80_000, "1.125",
                        CostSource.LEARNED)
                // a model no price table names: the receiver's re-pricing leaves it unpriced
                .add("s2", iso(now.minus(Duration.ofMinutes(70))), "claude-next-1", new Tokens(500, 50, 7_000, 0, 0, 0), null,
                        CostSource.UNPRICED, Call.NONE, Place.NONE, Source.TRANSCRIPT)
                .request("s1", iso(now.minus(Duration.ofMinutes(12))), OPUS, 3_000, 600, 900, 120_000, "2.0625",
                        CostSource.EXACT)
                .write(database);

        JsonNode file;
        try (var receiver = RunningReceiver.start(home)) {
            file = receiver.awaitMetrics(metrics -> metrics.has("block"), Duration.ofSeconds(20));
        }
        JsonNode block = file.get("block");
        Instant at = Instant.parse(file.get("timestamp").asText());

        JsonNode report = JSON.readTree(blocksJson(database, at));
        JsonNode active = null;
        for (JsonNode candidate : report.get("blocks")) {
            if (candidate.get("isActive").asBoolean()) {
                active = candidate;
            }
        }
        assertNotNull(active, report.toString());
        assertEquals(Instant.parse(active.get("startTime").asText()), Instant.parse(block.get("start").asText()));
        assertEquals(Instant.parse(active.get("endTime").asText()), Instant.parse(block.get("end").asText()));
        assertEquals(Instant.parse(active.get("actualEndTime").asText()),
                Instant.parse(block.get("lastRequest").asText()));
        JsonNode counts = active.get("tokenCounts");
        JsonNode tokens = block.get("tokens");
        assertEquals(counts.get("inputTokens").asLong(), tokens.get("input").asLong());
        assertEquals(counts.get("outputTokens").asLong(), tokens.get("output").asLong());
        assertEquals(counts.get("cacheReadInputTokens").asLong(), tokens.get("cacheRead").asLong());
        assertEquals(counts.get("cacheCreationInputTokens").asLong(), tokens.get("cacheCreation").asLong());
        assertEquals(active.get("totalTokens").asLong(), tokens.get("total").asLong());
        assertEquals(0, active.get("costUSD").decimalValue().compareTo(block.get("costUsd").decimalValue()),
                active.get("costUSD") + " vs " + block.get("costUsd"));
        assertEquals(0, new BigDecimal("3.9375").compareTo(block.get("costUsd").decimalValue()),
                "three priced requests, telemetry's and priced alike; the transcript's unpriced one adds tokens only");
        JsonNode projection = active.get("projection");
        assertEquals(projection.get("totalTokens").asLong(), block.get("projectedTokens").asLong());
        assertEquals(projection.get("totalCost").decimalValue().setScale(2, RoundingMode.HALF_UP),
                block.get("projectedCostUsd").decimalValue().setScale(2, RoundingMode.HALF_UP),
                "the reports round the projection to cents");
        assertTrue(block.get("projectedCostUsd").decimalValue().compareTo(block.get("costUsd").decimalValue()) > 0);
    }

    private static String iso(Instant time) {
        return time.toString();
    }

    /** {@code claude-token-metrics blocks --json} at {@code now}. */
    private static String blocksJson(Path database, Instant now) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(List.of("blocks", "--json", "--db", database.toString()), Map.of("TZ", "UTC"), now,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
