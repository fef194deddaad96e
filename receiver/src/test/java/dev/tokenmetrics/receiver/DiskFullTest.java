package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory on a real filesystem that fills up (a 2 MiB tmpfs, so the test needs root; it skips with its
 * reason otherwise): exports are refused while it is full and counted nowhere, accepted again once there is room,
 * and after kill -9 every acknowledged export, and only those, is there.
 */
class DiskFullTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.now().minusSeconds(30);

    @TempDir
    Path home;
    private Path stateDir;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void mountASmallFilesystem() throws Exception {
        stateDir = home.resolve("state");
        Files.createDirectories(stateDir);
        String reason = run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", stateDir.toString());
        Skip.unless(reason == null, "cannot mount a tmpfs (" + reason + "); it needs root");
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", "-l", stateDir.toString());
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).trim();
        return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? null : output;
    }

    private int export(int port, int second, long input) throws Exception {
        byte[] body = Otlp.usage("s1", "m", Otlp.DELTA, T0.plusSeconds(second - 1), T0.plusSeconds(second), input, 0,
                0, 0, 0.01).toByteArray();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-protobuf")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode health(int port) throws Exception {
        return JSON.readTree(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private long input() throws IOException {
        try {
            return JSON.readTree(Files.readAllBytes(home.resolve(".claude/token-metrics.json")))
                    .path("sessions").path("s1").path("tokens").path("input").asLong(-1);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    private long awaitInput(long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (input() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return input();
    }

    /** Fills the filesystem to the last byte. */
    private Path fill() throws IOException {
        Path filler = stateDir.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        try (OutputStream out = Files.newOutputStream(stateDir.resolve("filler-bytes"))) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException full) {
            return filler;
        }
    }

    @Test
    void aFullDiskRefusesExportsCountsThemNowhereAndLosesNothingAcknowledged() throws Exception {
        int port = DaemonProcess.freePort();
        String[] args = {"--port", Integer.toString(port), "--state-dir", stateDir.toString()};
        DaemonProcess daemon = DaemonProcess.start(home, args).awaitHealthy(port);
        long expected;
        try {
            assertEquals(200, export(port, 1, 100));
            assertEquals(100, awaitInput(100));

            Path filler = fill();
            // The journal's last page may still have room: exports land there until it is used up.
            int second = 2;
            int acknowledged = 0;
            while (export(port, second++, 1) == 200) {
                acknowledged++;
                assertTrue(acknowledged < 1000, "the full disk never refused an export");
            }
            assertEquals(503, export(port, second++, 20), "refused while the disk is full: the exporter retries later");
            JsonNode health = health(port);
            assertEquals("degraded", health.path("status").asText(), health.toString());
            assertTrue(health.path("problems").get(0).asText().startsWith("journal: cannot make exports durable"),
                    health.toString());

            Files.delete(filler);
            assertEquals(200, export(port, second++, 3), "accepted again once there is room");
            expected = 100 + acknowledged + 3;
            assertEquals(expected, awaitInput(expected), "refused exports never count, not even in the metrics file");
            assertEquals("ok", health(port).path("status").asText());
        } finally {
            daemon.process.destroyForcibly(); // kill -9
            daemon.process.waitFor();
        }
        Files.delete(home.resolve(".claude/token-metrics.json")); // what the restarted daemon writes is its own
        DaemonProcess restarted = DaemonProcess.start(home, args).awaitHealthy(port);
        try {
            assertEquals(expected, awaitInput(expected), "exactly the acknowledged exports, after kill -9 and replay");
            assertEquals("ok", health(port).path("status").asText(), health(port).toString());
        } finally {
            restarted.process.destroy();
            restarted.awaitExit();
        }
    }
}
