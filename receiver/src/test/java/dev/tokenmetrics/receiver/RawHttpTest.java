package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.http.ServerLimits;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/1.1 over a raw socket, where real clients never go: broken framing, pipelining, slow clients. */
class RawHttpTest {

    private static final String PROTOBUF = ReceiverHttpTest.PROTOBUF;
    private static final String JSON = ReceiverHttpTest.JSON;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PAUSE = Duration.ofMillis(100); // between a trickler's bytes

    @TempDir
    Path home;

    @Test
    void aBadChunkSizeLineAfterAValidChunkIs400AndNothingCounts() throws Exception {
        byte[] export = usage("framing").toByteArray();
        assertRefusedAsBadFraming(concat(chunkedHeaders("/v1/metrics"),
                ascii(Integer.toHexString(export.length) + "\r\n"), export, ascii("\r\nnot-hex\r\n\r\n")));
    }

    @Test
    void aChunkSizeLineWithAnOverlongExtensionIs400AndNothingCounts() throws Exception {
        byte[] export = usage("extension").toByteArray();
        assertRefusedAsBadFraming(concat(chunkedHeaders("/v1/metrics"),
                ascii(Integer.toHexString(export.length) + ";ext=" + "x".repeat(5000) + "\r\n"), export,
                ascii("\r\n0\r\n\r\n")));
    }

    /** Sends the request as it is: a 400 that closes the connection, and nothing counted. */
    private void assertRefusedAsBadFraming(byte[] request) throws Exception {
        try (var receiver = RunningReceiver.start(home); var connection = new RawConnection(receiver)) {
            connection.send(request);

            RawResponse response = connection.read();

            assertEquals(400, response.status(), response.text());
            assertEquals("close", response.header("connection"));
            connection.assertClosedByServer();
            assertNoSessions(receiver);
        }
    }

    @Test
    void aWellFramedChunkedExportWithAnExtensionIs200AndCounts() throws Exception {
        byte[] export = usage("chunked").toByteArray();
        int half = export.length / 2;
        try (var receiver = RunningReceiver.start(home); var connection = new RawConnection(receiver)) {
            connection.send(concat(chunkedHeaders("/v1/metrics"),
                    ascii(Integer.toHexString(half) + ";name=value\r\n"), slice(export, 0, half), ascii("\r\n"),
                    ascii(Integer.toHexString(export.length - half) + "\r\n"), slice(export, half, export.length),
                    ascii("\r\n0\r\n\r\n")));

            RawResponse response = connection.read();

            assertEquals(200, response.status(), response.text());
            assertEquals(PROTOBUF, response.header("content-type"));
            assertEquals(7, receiver.awaitSession("chunked").path("tokens").path("total").asLong());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        String[] sessions = {"p1", "p2", "p3", "p4", "p5", "p6"};
        try (var receiver = RunningReceiver.start(home); var connection = new RawConnection(receiver)) {
            connection.send(concat(
                    export("/v1/metrics", PROTOBUF, usage(sessions[0]).toByteArray()),
                    export("/v1/metrics", PROTOBUF, usage(sessions[1]).toByteArray()),
                    ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
                    export("/v1/metrics", PROTOBUF, new byte[] {(byte) 0xFF, 1, 2}),
                    export("/v1/metrics", JSON, OtlpJson.encode(usage(sessions[2]))),
                    export("/v1/metrics", PROTOBUF, usage(sessions[3]).toByteArray()),
                    ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
                    export("/v1/metrics", PROTOBUF, usage(sessions[4]).toByteArray()),
                    export("/v1/metrics", JSON, OtlpJson.encode(usage(sessions[5]))),
                    export("/v1/profiles", PROTOBUF, usage("never").toByteArray())));

            // status, then what tells the responses apart: content type, and the health answer's service name
            String[][] expected = {
                    {"200", PROTOBUF}, {"200", PROTOBUF}, {"200", JSON + " health"}, {"400", PROTOBUF},
                    {"200", JSON}, {"200", PROTOBUF}, {"200", JSON + " health"}, {"200", PROTOBUF}, {"200", JSON},
                    {"404", JSON}};
            var answered = new StringBuilder();
            for (String[] next : expected) {
                RawResponse response = connection.read();
                String kind = response.header("content-type")
                        + (response.text().contains("claude-token-metrics-receiver") ? " health" : "");
                answered.append(response.status()).append(' ').append(kind).append("; ");
                assertEquals(next[0] + " " + next[1], response.status() + " " + kind, "answered so far: " + answered);
            }
            connection.assertClosedByServer(); // a refusal closes its connection

            for (String session : sessions) {
                assertEquals(7, receiver.awaitSession(session).path("tokens").path("total").asLong(), session);
            }
        }
    }

    @Test
    void aRefusedRequestWithoutABodyLeavesTheConnectionOpenForTheNext() throws Exception {
        try (var receiver = RunningReceiver.start(home); var connection = new RawConnection(receiver)) {
            connection.send(ascii("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            RawResponse notFound = connection.read();

            assertEquals(404, notFound.status(), notFound.text());
            assertEquals("keep-alive", notFound.header("connection"));

            connection.send(concat(ascii("DELETE /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
                    ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")));
            RawResponse notAllowed = connection.read();
            RawResponse health = connection.read();

            assertEquals(405, notAllowed.status(), notAllowed.text());
            assertEquals("keep-alive", notAllowed.header("connection"));
            assertEquals(200, health.status(), health.text());
            assertTrue(health.text().contains("claude-token-metrics-receiver"), health.text());
        }
    }

    @Test
    void aClientTricklingHeadersIsClosedAtTheRequestDeadlineWhileOthersAreServed() throws Exception {
        try (var receiver = RunningReceiver.start(home, 0, limits(256)); var trickler = new Trickler(receiver)) {
            long firstByte = System.nanoTime();
            trickler.trickle(PAUSE);
            assertEquals(200, receiver.get("/health").statusCode(), "another client is served meanwhile");

            long closed = awaitClosed(List.of(trickler), firstByte);

            assertTrue(closed - firstByte >= REQUEST_TIMEOUT.toNanos(),
                    "closed at the deadline, not before: " + Duration.ofNanos(closed - firstByte));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheRequestDeadline() throws Exception {
        try (var receiver = RunningReceiver.start(home, 0, limits(256))) {
            long connecting = System.nanoTime(); // before the server can have accepted the connection
            try (var silent = new RawConnection(receiver)) {
                silent.assertClosedByServer();
            }

            long elapsed = System.nanoTime() - connecting;
            assertTrue(elapsed >= REQUEST_TIMEOUT.toNanos() && elapsed < IDLE_TIMEOUT.toNanos(),
                    "closed at the request deadline, long before the idle timeout: " + Duration.ofNanos(elapsed));
        }
    }

    @Test
    void tricklersHoldingEveryConnectionLockNobodyOutPastTheDeadline() throws Exception {
        var tricklers = new ArrayList<Trickler>();
        try (var receiver = RunningReceiver.start(home, 0, limits(4))) {
            for (int i = 0; i < 4; i++) {
                var trickler = new Trickler(receiver);
                tricklers.add(trickler);
                trickler.servedOnceThenSlow(); // a connection the server surely counts, then a slow request on it
            }
            long firstBytes = System.nanoTime();
            for (Trickler trickler : tricklers) {
                trickler.trickle(PAUSE.dividedBy(4));
            }
            assertTrue(healthAnswer(receiver).isEmpty(), "the four tricklers hold every connection");

            awaitClosed(tricklers, firstBytes);

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String answer = healthAnswer(receiver);
            while (!answer.startsWith("HTTP/1.1 200") && System.nanoTime() < deadline) {
                answer = healthAnswer(receiver); // the server may count the closed connections out a moment later
            }
            assertTrue(answer.startsWith("HTTP/1.1 200"), "served again once the tricklers are closed: " + answer);
        } finally {
            for (Trickler trickler : tricklers) {
                trickler.close();
            }
        }
    }

    private static ServerLimits limits(int maxConnections) {
        return new ServerLimits(4 * 1024 * 1024, 32 * 1024 * 1024, maxConnections, IDLE_TIMEOUT, REQUEST_TIMEOUT);
    }

    /**
     * Keeps the tricklers trickling, each a byte per {@link #PAUSE}, until the server has closed every one; fails
     * if that takes past the request deadline plus a margin for a busy machine. Returns when the last was closed.
     */
    private static long awaitClosed(List<Trickler> tricklers, long firstBytes) throws IOException {
        long giveUp = firstBytes + REQUEST_TIMEOUT.plusSeconds(4).toNanos();
        while (true) {
            boolean allClosed = true;
            for (Trickler trickler : tricklers) {
                allClosed &= trickler.trickle(PAUSE.dividedBy(tricklers.size()));
            }
            long now = System.nanoTime();
            if (allClosed) {
                return now;
            }
            assertTrue(now < giveUp, "tricklers still open " + Duration.ofNanos(now - firstBytes)
                    + " after their first byte, with a request deadline of " + REQUEST_TIMEOUT);
        }
    }

    /** GET /health on a new connection: the answer, or empty when the connection is closed without one. */
    private static String healthAnswer(RunningReceiver receiver) {
        try {
            return receiver.raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        } catch (IOException e) {
            return ""; // reset by the connection limiter
        }
    }

    /** A client that sends a request's headers a byte at a time and would take minutes to finish them. */
    private static final class Trickler implements AutoCloseable {

        private static final byte[] HEADERS = ascii("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                + "a".repeat(4000));

        private final Socket socket;
        private int sent;
        private boolean closed;

        Trickler(RunningReceiver receiver) throws IOException {
            socket = new Socket("127.0.0.1", receiver.port());
        }

        /** First a whole request, answered, on the same connection. */
        void servedOnceThenSlow() throws IOException {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            RawResponse response = RawResponse.read(socket.getInputStream());
            assertTrue(response != null && response.status() == 200, "served before it turns slow");
        }

        /** Sends the next byte, then waits up to {@code pause} for the server to close; true once it has. */
        boolean trickle(Duration pause) throws IOException {
            if (closed) {
                return true;
            }
            try {
                socket.getOutputStream().write(HEADERS[sent++]);
                socket.setSoTimeout((int) pause.toMillis());
                int answer = socket.getInputStream().read();
                assertEquals(-1, answer, "no answer to a request that has not arrived, only the connection's end");
                closed = true;
            } catch (SocketTimeoutException e) {
                // still open
            } catch (SocketException e) {
                closed = true; // reset, or a broken pipe writing after the server's close
            }
            return closed;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static byte[] export(String path, String contentType, byte[] body) {
        return concat(ascii("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n"), body);
    }

    /** One API call's usage for a session: 7 tokens in all. */
    private static ExportMetricsServiceRequest usage(String session) {
        Instant now = Instant.now();
        return Otlp.usage(session, "m", Otlp.DELTA, now.minusSeconds(1), now, 3, 2, 1, 1, 0.01);
    }

    private static byte[] chunkedHeaders(String path) {
        return ascii("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + PROTOBUF
                + "\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    /** Health counts sessions straight from the store: anything counted before its answer shows here. */
    private static void assertNoSessions(RunningReceiver receiver) throws Exception {
        String health = receiver.get("/health").body();
        assertTrue(health.contains("\"sessions\":0"), health);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }

    /** A client connection that writes bytes as they are and reads responses as they come. */
    static final class RawConnection implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;

        RawConnection(RunningReceiver receiver) throws IOException {
            socket = new Socket("127.0.0.1", receiver.port());
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
        }

        void send(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        /** The next response; fails when the connection ends first or nothing comes within 10 s. */
        RawResponse read() throws IOException {
            RawResponse response = RawResponse.read(in);
            assertTrue(response != null, "the connection ended before a response");
            return response;
        }

        /** Fails unless the server closes the connection within 10 s without sending anything more. */
        void assertClosedByServer() throws IOException {
            try {
                assertNull(RawResponse.read(in), "nothing more, then the end of the connection");
            } catch (SocketException e) {
                // reset by the server: closed too
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A response read off a connection as it comes: status, headers (names in lower case), body. */
    record RawResponse(int status, Map<String, String> headers, byte[] body) {

        String header(String name) {
            return headers.get(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The next response, or null when the connection ends before one starts. */
        static RawResponse read(InputStream in) throws IOException {
            String statusLine = line(in);
            if (statusLine == null) {
                return null;
            }
            var headers = new TreeMap<String, String>();
            for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("connection ended inside a body: " + statusLine);
            }
            return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
        }

        private static String line(InputStream in) throws IOException {
            var line = new StringBuilder();
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == '\n') {
                    return line.toString().stripTrailing();
                }
                line.append((char) b);
            }
            return line.isEmpty() ? null : line.toString();
        }
    }
}
