package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 at any instant loses nothing acknowledged, and exporters' retries afterwards count exactly once. */
class CrashRecoveryTest {

    private static final int EXPORTS = 400;
    private static final int CLIENTS = 4;

    @TempDir
    Path home;

    /** Export i: one delta token for session "d", and the cumulative total i for session "c". */
    private static ExportMetricsServiceRequest export(Instant start, int i) {
        return Otlp.request(
                Otlp.sum(Otlp.TOKENS, Otlp.DELTA, Otlp.point("d", "m", "input", start.plusMillis(i - 1), start.plusMillis(i), 1)),
                Otlp.sum(Otlp.TOKENS, Otlp.CUMULATIVE, Otlp.point("c", "m", "input", start, start.plusMillis(i), i)));
    }

    private static boolean send(HttpClient client, int port, byte[] body) {
        return DaemonProcess.export(client, port, "/v1/metrics", body);
    }

    /**
     * Waits for a metrics file written at or after {@code since} (its timestamp says when its figures were taken):
     * it covers everything the daemon had recorded by then.
     */
    private void awaitFileWrittenSince(Instant since) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode file = new ObjectMapper().readTree(Files.readAllBytes(home.resolve(".claude/token-metrics.json")));
                if (!Instant.parse(file.path("timestamp").asText()).isBefore(since)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // not written yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no metrics file written since " + since);
    }

    private JsonNode session(String id) throws IOException {
        return new ObjectMapper().readTree(Files.readAllBytes(home.resolve(".claude/token-metrics.json")))
                .path("sessions").path(id);
    }

    @Test
    void acknowledgedExportsSurviveKillNineAndRetriesCountOnce() throws Exception {
        int port = DaemonProcess.freePort();
        Instant start = Instant.now().minusSeconds(60);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 1; i <= EXPORTS; i++) {
            bodies.add(export(start, i).toByteArray());
        }
        var acknowledged = new AtomicIntegerArray(EXPORTS + 1);
        var acknowledgedCount = new AtomicInteger();
        var client = HttpClient.newHttpClient();

        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        var threads = new ArrayList<Thread>();
        for (int k = 0; k < CLIENTS; k++) {
            int first = k + 1;
            threads.add(new Thread(() -> {
                for (int i = first; i <= EXPORTS; i += CLIENTS) {
                    if (!send(client, port, bodies.get(i - 1))) {
                        return; // the daemon is gone: this exporter will retry from here
                    }
                    acknowledged.set(i, 1);
                    acknowledgedCount.incrementAndGet();
                }
            }));
        }
        threads.forEach(Thread::start);
        while (acknowledgedCount.get() < EXPORTS / 3) {
            Thread.sleep(1);
        }
        daemon.process.destroyForcibly(); // SIGKILL, mid-stream
        daemon.process.waitFor();
        for (Thread thread : threads) {
            thread.join();
        }
        int acknowledgedBeforeKill = acknowledgedCount.get();
        assertTrue(acknowledgedBeforeKill < EXPORTS, "the kill landed mid-stream");

        Instant restart = Instant.now();
        DaemonProcess restarted = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        try {
            awaitFileWrittenSince(restart); // written at start, after the journal's replay
            long counted = session("d").path("tokens").path("input").asLong();
            assertTrue(counted >= acknowledgedBeforeKill,
                    "every acknowledged export survived: " + counted + " counted, " + acknowledgedBeforeKill + " acknowledged");

            // The exporters retry whatever was not acknowledged, as OTLP clients do.
            for (int i = 1; i <= EXPORTS; i++) {
                if (acknowledged.get(i) == 0) {
                    assertTrue(send(client, port, bodies.get(i - 1)), "retry of export " + i);
                }
            }
            awaitFileWrittenSince(Instant.now()); // every retry was answered, so committed: this file has them all
            assertEquals(EXPORTS, session("d").path("tokens").path("input").asLong(), "each delta export counted once");
            assertEquals(EXPORTS, session("c").path("tokens").path("input").asLong(), "the cumulative total, not more");
        } finally {
            restarted.process.destroy();
            restarted.awaitExit();
        }
    }
}
