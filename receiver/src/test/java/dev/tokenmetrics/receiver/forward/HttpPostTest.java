package dev.tokenmetrics.receiver.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The sender's HTTP/1.1 client against a server scripted byte by byte: what it sends, keep-alive, and every way an
 * answer can come back: with a length, chunked, up to the close, cut short, late, not HTTP at all.
 */
class HttpPostTest {

    private static final byte[] BODY = "the export's bytes".getBytes(StandardCharsets.UTF_8);

    /** A request as the server read it: its head's lines and its body. */
    record Request(List<String> head, byte[] body) {
        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return head.stream().filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).trim()).findFirst().orElse(null);
        }
    }

    /** What the server does with a request on a connection: answers, or closes, or stalls. */
    @FunctionalInterface
    interface Script {
        /** Returns false to close the connection after this request. */
        boolean answer(Request request, OutputStream out) throws IOException, InterruptedException;
    }

    /** A server on loopback: every connection served by the script, the requests recorded, connections counted. */
    static final class ScriptedServer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        final AtomicInteger connections = new AtomicInteger();
        private final List<Socket> open = new ArrayList<>();
        private final Thread acceptor;

        ScriptedServer(Script script) throws IOException {
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        connections.incrementAndGet();
                        synchronized (open) {
                            open.add(socket);
                        }
                        Thread serving = new Thread(() -> serve(socket, script));
                        serving.setDaemon(true);
                        serving.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket socket, Script script) {
            try (socket) {
                InputStream in = socket.getInputStream();
                while (true) {
                    var head = new ArrayList<String>();
                    for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
                        head.add(line);
                    }
                    if (head.isEmpty()) {
                        return;
                    }
                    var request = new Request(head, null);
                    byte[] body = in.readNBytes(Integer.parseInt(request.header("Content-Length")));
                    request = new Request(head, body);
                    requests.add(request);
                    OutputStream out = socket.getOutputStream();
                    if (!script.answer(request, out)) {
                        return;
                    }
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the client went away, or the test ended
            }
        }

        static String line(InputStream in) throws IOException {
            var line = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    return null;
                }
                line.write(c);
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
        }

        Request next() throws InterruptedException {
            return requests.poll(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (open) {
                for (Socket socket : open) {
                    socket.close();
                }
            }
        }
    }

    private static boolean write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return true;
    }

    private static HttpPost client(Duration timeout) {
        return new HttpPost(timeout, "test-agent/1", List.of(new ForwardConfig.Header("Authorization", "Bearer t0k"),
                new ForwardConfig.Header("X-Scope-OrgID", "team-1")));
    }

    @Test
    void sendsTheBodyWithItsLengthTypeEncodingAndHeadersAndKeepsTheConnection() throws Exception {
        try (var server = new ScriptedServer((request, out) -> write(out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n"));
             var http = client(Duration.ofSeconds(10))) {
            byte[] framed = ("xx" + new String(BODY, StandardCharsets.UTF_8) + "yy").getBytes(StandardCharsets.UTF_8);
            HttpPost.Response response = http.post(server.uri("/v1/metrics?tenant=a"), true, framed, 2, BODY.length);
            assertEquals(200, response.status());
            assertEquals(0, response.body().length);
            assertNull(response.retryAfter());
            Request request = server.next();
            assertEquals("POST /v1/metrics?tenant=a HTTP/1.1", request.head().get(0));
            assertEquals("127.0.0.1:" + server.server.getLocalPort(), request.header("Host"));
            assertEquals("application/x-protobuf", request.header("Content-Type"));
            assertEquals("gzip", request.header("Content-Encoding"));
            assertEquals(String.valueOf(BODY.length), request.header("Content-Length"));
            assertEquals("test-agent/1", request.header("User-Agent"));
            assertEquals("Bearer t0k", request.header("Authorization"));
            assertEquals("team-1", request.header("X-Scope-OrgID"));
            assertArrayEquals(BODY, request.body());

            http.post(server.uri("/v1/logs"), false, BODY, 0, BODY.length);
            Request second = server.next();
            assertEquals("POST /v1/logs HTTP/1.1", second.head().get(0));
            assertNull(second.header("Content-Encoding"));
            assertEquals(1, server.connections.get(), "one connection, kept between posts");
        }
    }

    @Test
    void readsAChunkedAnswerAndKeepsTheConnection() throws Exception {
        try (var server = new ScriptedServer((request, out) -> write(out, "HTTP/1.1 200 OK\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"));
             var http = client(Duration.ofSeconds(10))) {
            assertEquals("hello, world", new String(http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length)
                    .body(), StandardCharsets.UTF_8));
            assertEquals("hello, world", new String(http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length)
                    .body(), StandardCharsets.UTF_8));
            assertEquals(1, server.connections.get());
        }
    }

    @Test
    void readsAnAnswerUpToTheCloseAndAnInterimAnswerBeforeTheRealOne() throws Exception {
        try (var server = new ScriptedServer((request, out) -> !write(out, "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\n\r\nbusy, come back"));
             var http = client(Duration.ofSeconds(10))) {
            HttpPost.Response response = http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length);
            assertEquals(503, response.status());
            assertEquals("7", response.retryAfter());
            assertEquals("busy, come back", new String(response.body(), StandardCharsets.UTF_8));
            assertEquals(503, http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length).status());
            assertEquals(2, server.connections.get(), "an answer up to the close ends its connection");
        }
    }

    @Test
    void aConnectionCloseAnswerIsReadAndTheNextPostConnectsAgain() throws Exception {
        try (var server = new ScriptedServer((request, out) -> !write(out,
                "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 4\r\n\r\nslow"));
             var http = client(Duration.ofSeconds(10))) {
            assertEquals(429, http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length).status());
            assertEquals(429, http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length).status());
            assertEquals(2, server.connections.get());
        }
    }

    @Test
    void aKeptConnectionTheServerClosedWhileIdleIsReplacedWithoutAFailure() throws Exception {
        var served = new AtomicInteger();
        // The server answers each connection's first request and closes it without saying so, as an idle timeout.
        try (var server = new ScriptedServer((request, out) -> {
            served.incrementAndGet();
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            return false;
        }); var http = client(Duration.ofSeconds(10))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length).status());
            }
            assertEquals(3, served.get(), "each request sent once it could be answered");
            assertEquals(3, server.connections.get());
        }
    }

    @Test
    void anAnswerCutShortFailsAndTheNextPostConnectsAgain() throws Exception {
        var first = new CountDownLatch(1);
        try (var server = new ScriptedServer((request, out) -> {
            if (first.getCount() > 0) {
                first.countDown();
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it");
                return false;
            }
            return write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }); var http = client(Duration.ofSeconds(10))) {
            IOException cut = assertThrows(IOException.class,
                    () -> http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length));
            assertTrue(cut.getMessage().contains("before the answer's end"), cut.getMessage());
            assertEquals(200, http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length).status());
            assertEquals(2, server.connections.get());
        }
    }

    @Test
    void garbageIsNotAnAnswer() throws Exception {
        for (String garbage : List.of("SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) {
            try (var server = new ScriptedServer((request, out) -> !write(out, garbage));
                 var http = client(Duration.ofSeconds(10))) {
                IOException thrown = assertThrows(IOException.class,
                        () -> http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length), garbage);
                assertTrue(thrown.getMessage().startsWith("not an HTTP answer: "), thrown.getMessage());
                assertEquals(1, server.connections.get(), "garbage is not sent again: " + garbage);
            }
        }
    }

    @Test
    void aSlowServerTimesOutWithinTheTimeout() throws Exception {
        var release = new CountDownLatch(1);
        try (var server = new ScriptedServer((request, out) -> {
            write(out, "HTTP/1.1 200 OK\r\n"); // half an answer, then nothing
            release.await();
            return false;
        }); var http = client(Duration.ofMillis(300))) {
            long started = System.nanoTime();
            IOException late = assertThrows(IOException.class,
                    () -> http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertInstanceOf(SocketTimeoutException.class, late);
            assertEquals("no answer within 300 ms", late.getMessage());
            assertTrue(tookMillis >= 250 && tookMillis < 5000, "took " + tookMillis + " ms");
            release.countDown();
        }
    }

    @Test
    void aServerThatStopsReadingTimesOutTheWrite() throws Exception {
        // Accepts and never reads: the body (larger than the socket buffers) can never be written in full.
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             var http = client(Duration.ofMillis(500))) {
            var accepted = new Thread(() -> {
                try {
                    silent.accept();
                } catch (IOException ignored) {
                    // closed
                }
            });
            accepted.start();
            byte[] large = new byte[64 << 20];
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/v1/metrics");
            assertThrows(SocketTimeoutException.class, () -> http.post(uri, false, large, 0, large.length));
        }
    }

    @Test
    void abortEndsAPostUnderWayFromAnotherThread() throws Exception {
        var release = new CountDownLatch(1);
        try (var server = new ScriptedServer((request, out) -> {
            release.await();
            return false;
        }); var http = client(Duration.ofSeconds(30))) {
            var failed = new LinkedBlockingQueue<Throwable>();
            Thread poster = new Thread(() -> {
                try {
                    http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length);
                } catch (Throwable e) {
                    failed.add(e);
                }
            });
            poster.start();
            server.next(); // the request is in: the post waits for its answer
            http.abort();
            Throwable thrown = failed.poll(10, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, thrown);
            release.countDown();
        }
    }

    @Test
    void anAnswerSentBeforeTheWholeBodyWasReadIsTheAnswer() throws Exception {
        // Reads the head, answers 413 and closes, the body unread (larger than the socket buffers): the write
        // fails, and the 413 is what the post says, not a failed connection (which would be retried for ever).
        try (var early = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             var http = client(Duration.ofSeconds(10))) {
            var answering = new Thread(() -> {
                try (Socket socket = early.accept()) {
                    InputStream in = socket.getInputStream();
                    for (String line = ScriptedServer.line(in); line != null && !line.isEmpty();
                         line = ScriptedServer.line(in)) {
                        // the head, read to its end
                    }
                    write(socket.getOutputStream(),
                            "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 8\r\n\r\ntoo long");
                } catch (IOException ignored) {
                    // the test ended
                }
            });
            answering.start();
            byte[] large = new byte[64 << 20];
            URI uri = URI.create("http://127.0.0.1:" + early.getLocalPort() + "/v1/metrics");
            HttpPost.Response answer = http.post(uri, false, large, 0, large.length);
            assertEquals(413, answer.status());
            assertEquals("too long", new String(answer.body(), StandardCharsets.UTF_8));
            answering.join();
        }
    }

    @Test
    void bytesWaitingOnAKeptConnectionAreNoPostsAnswer() throws Exception {
        var stale = new CountDownLatch(1);
        // The first connection: a 200, then, unasked, a 408 (as a proxy's before it closes; kept open here, so
        // that only the client's check can tell). Every other request: a 200.
        try (var server = new ScriptedServer((request, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            if (stale.getCount() > 0) {
                write(out, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
                stale.countDown();
            }
            return true;
        }); var http = client(Duration.ofSeconds(10))) {
            assertEquals(200, http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length).status());
            assertTrue(stale.await(10, TimeUnit.SECONDS));
            assertEquals(200, http.post(server.uri("/v1/metrics"), false, BODY, 0, BODY.length).status(),
                    "the 408 waiting on the kept connection is not the second post's answer");
            assertEquals(2, server.connections.get());
        }
    }

    /**
     * The system's resolver has no timeout of ours and ignores interrupts: one that hangs must cost a post no more
     * than its timeout (a retry, with backoff, for the sender), and the lookup still under way is waited on again by
     * the next attempt rather than started twice.
     */
    @Test
    void aResolverThatHangsCostsAPostItsTimeoutAndIsNeverAskedTwiceAtOnce() throws Exception {
        var lookups = new AtomicInteger();
        var answer = new CountDownLatch(1);
        Resolver.Lookup hanging = host -> {
            lookups.incrementAndGet();
            try {
                answer.await();
            } catch (InterruptedException e) {
                throw new java.net.UnknownHostException(host + ": interrupted");
            }
            return InetAddress.getLoopbackAddress();
        };
        var config = ForwardConfig.of(ForwardSettings.fromEnvironment(java.util.Map.of(
                "CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://collector.invalid:4318", "CLAUDE_TOKEN_FORWARD_TIMEOUT",
                "300ms")), java.util.Map.of());
        try (var server = new ScriptedServer((request, out) -> write(out,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
             var upstream = new Upstream(config, "test", java.time.Clock.systemUTC(), hanging)) {
            URI endpoint = URI.create("http://collector.invalid:" + server.server.getLocalPort() + "/v1/metrics");
            for (int attempt = 1; attempt <= 2; attempt++) {
                Upstream.Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(10),
                        () -> upstream.post(endpoint, BODY, BODY.length),
                        "attempt " + attempt + " ends by its timeout");
                var retry = assertInstanceOf(Upstream.Outcome.Retry.class, outcome);
                assertTrue(retry.reason().contains("no address for collector.invalid within"), retry.reason());
            }
            assertEquals(1, lookups.get(), "the lookup under way is waited on again, not started twice");

            answer.countDown(); // the resolver answers at last: the next attempt is sent
            assertEquals(new Upstream.Outcome.Sent(0, ""), upstream.post(endpoint, BODY, BODY.length));
            assertEquals("collector.invalid:" + server.server.getLocalPort(), server.next().header("Host"));
        }
    }

    @Test
    void nothingListeningFailsAtOnce() throws Exception {
        int port;
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (var http = client(Duration.ofSeconds(10))) {
            URI uri = URI.create("http://127.0.0.1:" + port + "/v1/metrics");
            assertInstanceOf(java.net.ConnectException.class,
                    assertThrows(IOException.class, () -> http.post(uri, false, BODY, 0, BODY.length)));
        }
    }
}
