package dev.tokenmetrics.receiver.publish;

import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.aggregate.UsageAggregator;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.store.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statusline's live file (docs/STATUSLINE.md#the-live-file): the metrics file's figures, for a shell to read. */
class LiveFileTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    private static UsageAggregator twoSessions() {
        var aggregator = new UsageAggregator(ZoneOffset.UTC);
        aggregator.apply(Otlp.extract(
                usage("s1", "claude-opus-4-1", DELTA, T0, T0.plusSeconds(5), 1011, 41, 300, 20, 0.005024000000000001)).batch());
        aggregator.apply(Otlp.extract(usage("s2", "claude-haiku-4-5", DELTA, T0, T0.plusSeconds(9), 1, 2, 3, 4, 0.1)).batch());
        return aggregator;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.US_ASCII);
    }

    @Test
    void liesBesideTheMetricsFile() {
        assertEquals(Path.of("/h/.claude/token-metrics.live.tsv"),
                LiveFile.besideMetricsFile(Path.of("/h/.claude/token-metrics.json")));
        assertEquals(Path.of("/tmp/metrics.live.tsv"), LiveFile.besideMetricsFile(Path.of("/tmp/metrics")));
    }

    @Test
    void writesTheDocumentedFormatMostRecentSessionFirst() throws IOException {
        Path path = dir.resolve("token-metrics.live.tsv");

        new LiveFile(path).write(twoSessions().report(T0.plusSeconds(10)));

        assertEquals(List.of(
                "ctm-live\t1\t" + T0.plusSeconds(10).toEpochMilli() + "\t0.105024\tclaude-haiku-4-5",
                "s2\t10\t0.1\t10\tclaude-haiku-4-5",
                "s1\t1372\t0.005024\t1372\tclaude-opus-4-1"), lines(path));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
    }

    @Test
    void thePublisherWritesBothFilesFromOneReportWithTheSameFigures() throws IOException {
        Path metrics = dir.resolve("token-metrics.json");
        UsageReport report = twoSessions().report(T0.plusSeconds(10));

        new MetricsFilePublisher(new MetricsFile(metrics), () -> report, new Problems()).close();

        JsonNode json = new ObjectMapper().readTree(metrics.toFile());
        List<String> live = lines(dir.resolve("token-metrics.live.tsv"));
        String[] header = live.get(0).split("\t", -1);
        assertEquals(Instant.parse(json.get("timestamp").asText()).toEpochMilli(), Long.parseLong(header[2]));
        assertEquals(json.get("today").get("costUsd").decimalValue().toPlainString(), header[3]);
        assertEquals(json.get("model").asText(), header[4]);
        assertEquals(3, live.size());
        for (String line : live.subList(1, live.size())) {
            String[] fields = line.split("\t", -1);
            JsonNode session = json.get("sessions").get(fields[0]);
            JsonNode tokens = session.get("tokens");
            long sum = tokens.get("input").asLong() + tokens.get("output").asLong() + tokens.get("cacheRead").asLong()
                    + tokens.get("cacheCreation").asLong();
            assertEquals(sum, Long.parseLong(fields[1]), line);
            assertEquals(session.get("costUsd").decimalValue().toPlainString(), fields[2], line);
            assertEquals(session.get("tokensPerMinute").asLong(), Long.parseLong(fields[3]), line);
            assertEquals(session.get("model").asText(), fields[4], line);
        }
    }

    @Test
    void holdsAtMostTheMostRecentSessions() throws IOException {
        var aggregator = new UsageAggregator(ZoneOffset.UTC);
        for (int i = 0; i < LiveFile.MAX_SESSIONS + 5; i++) {
            aggregator.apply(Otlp.extract(usage("s" + i, "m", DELTA, T0, T0.plusSeconds(i), 1, 1, 1, 1, 0.01)).batch());
        }
        Path path = dir.resolve("live.tsv");

        new LiveFile(path).write(aggregator.report(T0.plusSeconds(LiveFile.MAX_SESSIONS + 5)));

        List<String> lines = lines(path);
        assertEquals(1 + LiveFile.MAX_SESSIONS, lines.size());
        assertTrue(lines.get(1).startsWith("s" + (LiveFile.MAX_SESSIONS + 4) + "\t"), lines.get(1));
    }

    @Test
    void textAShellCouldMisreadIsLeftToTheJavaStatusline() throws IOException {
        var aggregator = twoSessions();
        aggregator.apply(Otlp.extract(usage("tab\there", "m", DELTA, T0, T0.plusSeconds(1), 1, 1, 1, 1, 0.01)).batch());
        aggregator.apply(Otlp.extract(usage("s3", "Öpus", DELTA, T0, T0.plusSeconds(2), 1, 1, 1, 1, 0.01)).batch());
        Path path = dir.resolve("live.tsv");

        new LiveFile(path).write(aggregator.report(T0.plusSeconds(10)));

        List<String> lines = lines(path);
        assertEquals(3, lines.size(), "only s2 and s1: " + lines);
        assertFalse(String.join("\n", lines).contains("tab"));

        aggregator.apply(Otlp.extract(usage("s4", "back\\slash", DELTA, T0, T0.plusSeconds(20), 1, 1, 1, 1, 0.01)).batch());
        new LiveFile(path).write(aggregator.report(T0.plusSeconds(30)));
        assertFalse(Files.exists(path), "the latest model cannot head the file: no file, the reader falls back");
    }
}
