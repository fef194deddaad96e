package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmetrics.receiver.http.ServerLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever is thrown at it, the daemon stays up and its figures do not move. */
class GarbageInputTest {

    private static final String[] PATHS = {"/v1/metrics", "/v1/logs", "/v1/traces"};
    private static final String[] TYPES = {ReceiverHttpTest.PROTOBUF, ReceiverHttpTest.JSON};
    private static final ServerLimits TIGHT = new ServerLimits(4 * 1024 * 1024, 32 * 1024 * 1024, 8,
            Duration.ofSeconds(2), Duration.ofSeconds(1));

    @TempDir
    Path home;
    private RunningReceiver receiver;
    private String before;
    private long commitsBefore;

    @BeforeEach
    void startWithOneSessionCounted() throws Exception {
        receiver = RunningReceiver.start(home, 0, TIGHT);
        receiver.post("/v1/metrics", ReceiverHttpTest.PROTOBUF, null, ReceiverHttpTest.recordedExport().toByteArray());
        receiver.awaitSession("e2f7c84b-4b26-4b2e-b1d3-d07f29d53082");
        before = figures(receiver.awaitPublished());
        commitsBefore = receiver.commits();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    /** The totals in the metrics file, without what moves with the clock (timestamp, burn rate). */
    private static String figures(JsonNode metrics) {
        var copy = metrics.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("timestamp");
        copy.path("sessions").forEach(session -> ((com.fasterxml.jackson.databind.node.ObjectNode) session).remove("tokensPerMinute"));
        return copy.toString();
    }

    private void assertUnharmed() throws Exception {
        assertEquals(200, receiver.get("/health").statusCode(), "still serving");
        // Every request above has been answered, and an export is answered only after it is committed: none was.
        assertEquals(commitsBefore, receiver.commits(), "nothing was recorded");
        assertEquals(before, figures(receiver.awaitPublished()), "the figures did not move");
    }

    @Test
    void randomBytesInEveryEncodingAtEveryEndpoint() throws Exception {
        var random = new Random(42);
        for (int i = 0; i < 150; i++) {
            byte[] body = new byte[random.nextInt(2048)];
            random.nextBytes(body);
            boolean gzip = random.nextBoolean();
            HttpResponse<byte[]> response = receiver.post(PATHS[i % 3], TYPES[i % 2], gzip ? "gzip" : null,
                    gzip && random.nextBoolean() ? ReceiverHttpTest.gzip(body) : body);
            assertTrue(response.statusCode() == 400 || response.statusCode() == 200,
                    "random bytes are malformed, or (rarely) a valid but empty protobuf: " + response.statusCode());
        }
        assertUnharmed();
    }

    @Test
    void truncatedProtobuf() throws Exception {
        byte[] whole = Otlp.resource("cc-2.1.330-metrics-cumulative.pb");
        for (int length = 1; length < whole.length; length += 7) {
            HttpResponse<byte[]> response = receiver.post("/v1/metrics", ReceiverHttpTest.PROTOBUF, null,
                    Arrays.copyOf(whole, length));
            assertEquals(400, response.statusCode(), "cut at " + length);
        }
        assertUnharmed();
    }

    @Test
    void jsonWithWrongTypesAndHugeNumbers() throws Exception {
        String export = new String(OtlpJson.encode(ReceiverHttpTest.recordedExport()), StandardCharsets.UTF_8);
        List<String> bodies = new ArrayList<>(List.of(
                "null", "[]", "\"x\"", "{\"resourceMetrics\":[1]}", "{\"resourceMetrics\":[[]]}",
                "{\"resourceMetrics\":\"all of them\"}", "{\"resourceLogs\":[{\"scopeLogs\":{}}]}",
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"not hex!\"}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"dataPoints\":[{\"asDouble\":{}}]}}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"aggregationTemporality\":\"SIDEWAYS\"}}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":12}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"dataPoints\":[{\"timeUnixNano\":-1e99}]}}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"dataPoints\":[{\"asInt\":\"99999999999999999999\"}]}}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"isMonotonic\":\"yes\"}}]}]}]}",
                "{" + "\"a\":{".repeat(5000) + "}".repeat(5000) + "}",
                export.substring(0, export.length() / 2)));
        for (String body : bodies) {
            for (String path : PATHS) {
                var response = receiver.post(path, ReceiverHttpTest.JSON, null, body.getBytes(StandardCharsets.UTF_8));
                assertTrue(response.statusCode() == 400 || response.statusCode() == 200, path + " " + body);
            }
        }
        // Well-formed, but the values cannot be usage: rejected by partial success, nothing counted.
        for (String value : new String[] {"1e300", "\"Infinity\"", "\"NaN\"", "-5", "1e400"}) {
            String huge = export.replace("\"asDouble\":1011.0", "\"asDouble\":" + value)
                    .replace("\"asDouble\":0.005024000000000001", "\"asDouble\":" + value)
                    .replace("\"asDouble\":41.0", "\"asDouble\":" + value)
                    .replace("\"asDouble\":300.0", "\"asDouble\":" + value)
                    .replace("\"asDouble\":20.0", "\"asDouble\":" + value)
                    .replace("e2f7c84b", "other-session");
            var response = receiver.post("/v1/metrics", ReceiverHttpTest.JSON, null, huge.getBytes(StandardCharsets.UTF_8));
            assertEquals(200, response.statusCode(), value);
            assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("\"rejectedDataPoints\":\"5\""),
                    value + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
        assertUnharmed();
    }

    @Test
    void gzipBombs() throws Exception {
        byte[] bomb = ReceiverHttpTest.gzip(new byte[200 * 1024 * 1024]);
        for (String path : PATHS) {
            assertEquals(413, receiver.post(path, ReceiverHttpTest.PROTOBUF, "gzip", bomb).statusCode());
        }
        assertUnharmed();
    }

    @Test
    void slowAndIdleClientsAreCutOffAndCannotHoldEverySlot() throws Exception {
        var sockets = new ArrayList<Socket>();
        try {
            for (int i = 0; i < 12; i++) { // more than the limit of 8
                var socket = new Socket("127.0.0.1", receiver.port());
                socket.getOutputStream().write("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes());
                sockets.add(socket);
            }
            for (Socket socket : sockets) {
                socket.setSoTimeout(5000);
                assertClosedByServer(socket);
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        assertUnharmed();
    }

    private static void assertClosedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // drain until the server closes
            }
        } catch (SocketException e) {
            // reset by the server: closed too
        }
    }

    @Test
    void aValidExportStillCountsAfterwards() throws Exception {
        receiver.post("/v1/metrics", ReceiverHttpTest.PROTOBUF, null, new byte[] {1, 2, 3});
        var later = Otlp.usage("s2", "m", Otlp.DELTA, Instant.now().minusSeconds(1), Instant.now(), 5, 0, 0, 0, 0.5);
        assertEquals(200, receiver.post("/v1/metrics", ReceiverHttpTest.PROTOBUF, null, later.toByteArray()).statusCode());
        assertEquals(5, receiver.awaitSession("s2").path("tokens").path("total").asLong());
    }
}
