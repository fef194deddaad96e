package dev.tokenmetrics.receiver.publish;

import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.aggregate.UsageAggregator;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsFileTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    private static String text(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void writesTheDocumentedSchema() throws IOException {
        var aggregator = new UsageAggregator(ZoneOffset.UTC);
        aggregator.apply(Otlp.extract(
                usage("s1", "claude-opus-4-1", DELTA, T0, T0.plusSeconds(5), 1011, 41, 300, 20, 0.005024000000000001)).batch());
        aggregator.apply(Otlp.extract(usage("s2", "claude-opus-4-1", DELTA, T0, T0.plusSeconds(9), 1, 2, 3, 4, 0.1)).batch());
        Path path = dir.resolve("token-metrics.json");

        new MetricsFile(path).write(aggregator.report(T0.plusSeconds(10)));

        String json = text(path);
        assertTrue(json.contains("\"schemaVersion\" : 1"), json);
        assertTrue(json.contains("\"timestamp\" : \"2026-11-24T10:00:10Z\""), json);
        assertTrue(json.contains("\"totalUsed\" : 10"), "top level describes the most recent session, s2: " + json);
        assertTrue(json.contains("\"sessionId\" : \"s2\""), json);
        assertTrue(json.contains("\"model\" : \"claude-opus-4-1\""), json);
        assertTrue(json.contains("\"costUsd\" : 0.005024,"), "cost is rounded to 1e-10 USD: " + json);
        assertTrue(json.contains("\"total\" : 1372"), json);
        assertTrue(json.contains("\"date\" : \"2026-11-24\""), json);
        assertTrue(json.contains("\"service.version\" : \"2.1.331\""), json);
        assertWellFormed(json);
    }

    @Test
    void isPrivateWhateverTheUmask() throws IOException {
        Path path = dir.resolve("token-metrics.json");
        Files.writeString(path, "old");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));

        new MetricsFile(path).write(new UsageAggregator(ZoneOffset.UTC).report(T0));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void roundsCostsToATenthOfANanodollar() {
        assertEquals(new BigDecimal("0.005024"), MetricsFile.roundCost(new BigDecimal("0.005024000000000001")));
        assertEquals(BigDecimal.ZERO, MetricsFile.roundCost(new BigDecimal("0.00000000000001")));
        assertEquals(new BigDecimal("12.3456789012"), MetricsFile.roundCost(new BigDecimal("12.34567890123")));
    }

    private static void assertWellFormed(String json) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            while (parser.nextToken() != null) {
                assertTrue(parser.currentToken() != JsonToken.NOT_AVAILABLE);
            }
        }
    }
}
