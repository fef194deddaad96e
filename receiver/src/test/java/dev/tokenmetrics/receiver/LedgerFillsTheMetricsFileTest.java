package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outage with DELTA temporality: the window exported while the receiver was down is lost to telemetry (Claude
 * Code does not send it again), but the session's transcript has it. Once the ledger has read the transcript, the
 * metrics file (and so the statusline) shows the whole session, counted once.
 */
class LedgerFillsTheMetricsFileTest {

    private static final String SESSION = "2b5f0c9e-6a41-4d1e-9d3a-4b8e1f7c0a11";
    private static final String MODEL = "claude-sonnet-4-5"; // priced by the shipped table: $3 and $15 per million

    @TempDir
    Path home;

    private static String assistant(int n, long input, long output, Instant time) {
        return "{\"message\":{\"id\":\"msg_" + n + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + MODEL
                + "\",\"usage\":{\"input_tokens\":" + input + ",\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":" + output + "}},\"requestId\":\"req_fill_" + n
                + "\",\"type\":\"assistant\",\"timestamp\":\"" + time + "\",\"cwd\":\"/home/user/proj\","
                + "\"sessionId\":\"" + SESSION + "\",\"version\":\"2.1.331\",\"gitBranch\":\"main\"}\n";
    }

    @Test
    void aWindowTelemetryMissedIsFilledFromTheTranscriptOnce() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (var receiver = RunningReceiver.start(home)) {
            // Windows 1 and 3 arrive; window 2 was exported while the receiver was down.
            receiver.post("/v1/metrics", "application/x-protobuf", null, Otlp.usage(SESSION, MODEL, Otlp.DELTA,
                    now.minusSeconds(30), now.minusSeconds(20), 1000, 100, 0, 0, 0.0045).toByteArray());
            receiver.post("/v1/metrics", "application/x-protobuf", null, Otlp.usage(SESSION, MODEL, Otlp.DELTA,
                    now.minusSeconds(10), now, 3000, 300, 0, 0, 0.0135).toByteArray());
            JsonNode before = receiver.awaitPublished().path("sessions").path(SESSION);
            assertEquals(4400, before.path("tokens").path("total").asLong(), "telemetry alone: " + before);

            Path transcript = Files.createDirectories(home.resolve(".claude/projects/-home-user-proj"))
                    .resolve(SESSION + ".jsonl");
            Files.writeString(transcript, assistant(1, 1000, 100, now.minusSeconds(25))
                    + assistant(2, 2000, 200, now.minusSeconds(15)) + assistant(3, 3000, 300, now.minusSeconds(5)),
                    StandardCharsets.UTF_8);
            receiver.importTranscripts();

            JsonNode file = receiver.awaitMetrics(metrics -> metrics.path("sessions").path(SESSION).path("tokens")
                    .path("total").asLong() == 6600, Duration.ofSeconds(30)); // the next heartbeat writes it
            JsonNode session = file.path("sessions").path(SESSION);
            assertEquals(6000, session.path("tokens").path("input").asLong());
            assertEquals(600, session.path("tokens").path("output").asLong());
            assertEquals(0, new BigDecimal("0.027").compareTo(session.path("costUsd").decimalValue()), session.toString());
            assertEquals(6600, file.path("today").path("tokens").path("total").asLong(), "today grew with it");
            assertEquals(0, new BigDecimal("0.027").compareTo(file.path("today").path("costUsd").decimalValue()));
            // The statusline's live file is written from the same report, right after the metrics file.
            Path liveFile = home.resolve(".claude/token-metrics.live.tsv");
            String live = Files.readString(liveFile);
            for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                 !live.contains(SESSION + "\t6600\t") && System.nanoTime() < deadline; live = Files.readString(liveFile)) {
                Thread.sleep(20); // polled within the deadline: the live file follows the metrics file's rename
            }
            assertTrue(live.contains(SESSION + "\t6600\t0.027\t"), live);
        }
    }
}
