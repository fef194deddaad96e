package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tokenmetrics.receiver.forward.ForwardSettings;
import dev.tokenmetrics.receiver.http.ServerLimits;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forwarding, end to end on loopback (docs/FORWARDING.md): a local receiver forwards what it made durable to an
 * upstream, which is either a recording stand-in (to see the requests: headers, attributes, answers) or a second
 * receiver (to see totals arrive exactly, through an outage, a kill -9 and a full queue).
 */
class ForwardingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));

    @TempDir
    Path temp;

    /** Export n of a session: one DELTA window of its own, with 1,000 + n input tokens among 1,110 + n in all. */
    static ExportMetricsServiceRequest export(String session, int n) {
        Instant from = START.plusSeconds(5L * n);
        return Otlp.usage(session, "claude-sonnet-4-5", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, from,
                from.plusSeconds(5), 1000 + n, 50, 40, 20, 0.001);
    }

    static long tokens(int n) {
        return 1000 + n + 50 + 40 + 20;
    }

    private RunningReceiver local(String name, ForwardSettings forward) throws IOException {
        return RunningReceiver.start(Files.createDirectory(temp.resolve(name)), 0, ServerLimits.DEFAULTS, forward);
    }

    private static ForwardSettings forwardTo(int port, String... options) {
        ForwardSettings settings = ForwardSettings.NONE.with("--forward-endpoint", "http://127.0.0.1:" + port)
                .with("--forward-retry-max", "200ms").with("--forward-resource-attributes",
                        "user.name=ada,host.name=ada-laptop");
        for (int i = 0; i < options.length; i += 2) {
            settings = settings.with(options[i], options[i + 1]);
        }
        return settings;
    }

    static JsonNode health(RunningReceiver receiver) throws Exception {
        return JSON.readTree(receiver.get("/health").body());
    }

    static JsonNode awaitHealth(RunningReceiver receiver, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode health = health(receiver);
        while (!condition.test(health)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/health never matched; last: " + health);
            }
            Thread.sleep(20);
            health = health(receiver);
        }
        return health;
    }

    private static void post(RunningReceiver receiver, ExportMetricsServiceRequest request) throws Exception {
        assertEquals(200, receiver.post("/v1/metrics", "application/x-protobuf", null, request.toByteArray())
                .statusCode());
    }

    private static long sessionTokens(JsonNode metrics, String session) {
        return metrics.path("sessions").path(session).path("tokens").path("total").asLong();
    }

    @Test
    void theUpstreamGetsEachExportOnceWithTheTeamsAttributesAndHeaders() throws Exception {
        try (var upstream = new RecordingUpstream();
             var local = local("local", forwardTo(upstream.port(), "--forward-header",
                     "Authorization=Bearer%20s3cret-token"))) {
            for (int n = 0; n < 5; n++) {
                post(local, export("s-attributes", n));
            }
            byte[] json = Otlp.resource("cc-2.1.330-metrics-delta.json");
            assertEquals(200, local.post("/v1/metrics", "application/json", null, json).statusCode());
            JsonNode forwarding = awaitHealth(local, h -> h.path("forwarding").path("sentExports").asLong() == 6)
                    .path("forwarding");
            assertEquals(0, forwarding.path("queuedExports").asLong());
            assertEquals("http://127.0.0.1:" + upstream.port(), forwarding.path("endpoint").asText());

            var resources = new ArrayList<Map<String, String>>();
            for (RecordingUpstream.Request request : upstream.requests) {
                assertEquals("/v1/metrics", request.path());
                assertEquals("Bearer s3cret-token", request.authorization());
                assertEquals("gzip", request.contentEncoding());
                assertEquals("application/x-protobuf", request.contentType());
                ExportMetricsServiceRequest.parseFrom(request.body()).getResourceMetricsList().forEach(resource -> {
                    var attributes = new java.util.LinkedHashMap<String, String>();
                    for (KeyValue kv : resource.getResource().getAttributesList()) {
                        attributes.put(kv.getKey(), kv.getValue().getStringValue());
                    }
                    resources.add(attributes);
                });
            }
            assertEquals(6, resources.size(), "each export once: " + resources);
            resources.forEach(attributes -> {
                assertEquals("ada", attributes.get("user.name"));
                assertEquals("ada-laptop", attributes.get("host.name"));
                assertEquals("claude-code", attributes.get("service.name"), "Claude Code's own attributes kept");
            });
            String healthText = local.get("/health").body();
            String metricsText = local.get("/metrics").body();
            assertFalse(healthText.contains("s3cret") || metricsText.contains("s3cret"), "credentials never shown");
            assertTrue(metricsText.contains("claude_token_metrics_forward_sent_exports_total 6"), metricsText);
            assertTrue(metricsText.contains("claude_token_metrics_forward_queue_exports 0"), metricsText);
        }
    }

    @Test
    void throttlingIsRetriedAfterRetryAfterPartialSuccessIsCountedAndARefusalIsNotResent() throws Exception {
        try (var upstream = new RecordingUpstream();
             var local = local("local", forwardTo(upstream.port(), "--forward-compression", "none"))) {
            upstream.answers.add(new RecordingUpstream.Answer(429, "1", new byte[0]));
            upstream.answers.add(new RecordingUpstream.Answer(200, null, ExportMetricsServiceResponse.newBuilder()
                    .setPartialSuccess(ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(2)
                            .setErrorMessage("too old")).build().toByteArray()));
            long before = System.nanoTime();
            post(local, export("s-answers", 0));
            JsonNode forwarding = awaitHealth(local, h -> h.path("forwarding").path("sentExports").asLong() == 1)
                    .path("forwarding");
            assertTrue(System.nanoTime() - before >= Duration.ofSeconds(1).toNanos(), "waited as Retry-After said");
            assertEquals(1, forwarding.path("retries").asLong());
            assertEquals(2, forwarding.path("rejectedItems").asLong());
            assertEquals(2, upstream.requests.size(), "the throttled request, then the accepted one; nothing more");
            assertEquals(null, upstream.requests.get(1).contentEncoding(), "compression none");

            upstream.answers.add(new RecordingUpstream.Answer(400, null, "bad data".getBytes()));
            post(local, export("s-answers", 1));
            forwarding = awaitHealth(local, h -> h.path("forwarding").path("failedExports").asLong() == 1)
                    .path("forwarding");
            assertTrue(forwarding.path("lastError").asText().contains("upstream answered 400: bad data"),
                    forwarding.toString());
            post(local, export("s-answers", 2));
            awaitHealth(local, h -> h.path("forwarding").path("sentExports").asLong() == 2);
            assertEquals(4, upstream.requests.size(), "the refused export was not sent again");
            assertEquals("ok", health(local).path("status").asText(), "an upstream's answer is not a local problem");
        }
    }

    @Test
    void badSettingsAreReportedAndTheReceiverWorksLocally() throws Exception {
        try (var local = local("local", ForwardSettings.NONE.with("--forward-endpoint", "http://127.0.0.1:4318")
                .with("--forward-header", "Authorization=Bearer%ZZtoken"))) {
            JsonNode health = health(local);
            assertEquals("degraded", health.path("status").asText());
            assertEquals("forwarding: forward header 'Authorization' has a malformed %-escape in its value; not"
                    + " forwarding", health.path("problems").get(0).asText());
            assertTrue(health.path("forwarding").isMissingNode());
            post(local, export("s-local", 0));
            assertEquals(tokens(0), sessionTokens(local.awaitMetrics(m -> sessionTokens(m, "s-local") > 0),
                    "s-local"));
        }
    }

    @Test
    void aMalformedEndpointIsOneLineAtStartAndTheDaemonServesLocally() throws Exception {
        int port = DaemonProcess.freePort();
        Path home = Files.createDirectory(temp.resolve("daemon"));
        var daemon = DaemonProcess.start(home, "--port", Integer.toString(port), "--forward-endpoint",
                "ftp://user:pw@team", "--forward-header", "Authorization=Bearer%20s3cret").awaitHealthy(port);
        try {
            HttpClient client = HttpClient.newHttpClient();
            assertTrue(DaemonProcess.export(client, port, "/v1/metrics", export("s-daemon", 0).toByteArray()),
                    "the local receiver works");
            JsonNode health = awaitHealthAt(client, port, h -> h.path("status").asText().equals("degraded"));
            assertEquals("forwarding: forward endpoint must be an http:// or https:// URL, got ftp://team; not"
                    + " forwarding", health.path("problems").get(0).asText());
            String output = daemon.output();
            assertEquals(1, output.lines().filter(line -> line.contains("forward endpoint must be")).count(), output);
            assertFalse(output.contains("s3cret") || output.contains(":pw@"), output);
        } finally {
            daemon.process.destroy();
            daemon.awaitExit();
        }
    }

    @Test
    void anUpstreamOutageIsARetryingQueueThenEverythingArrives() throws Exception {
        int upstreamPort = DaemonProcess.freePort();
        try (var local = local("local", forwardTo(upstreamPort))) {
            long expected = 0;
            for (int n = 0; n < 20; n++) {
                post(local, export("s-outage", n));
                expected += tokens(n);
            }
            JsonNode forwarding = awaitHealth(local, h -> h.path("forwarding").path("retries").asLong() >= 2)
                    .path("forwarding");
            assertEquals(20, forwarding.path("queuedExports").asLong());
            assertTrue(forwarding.path("lastError").asText().startsWith("forwarding: cannot reach http://127.0.0.1:"
                    + upstreamPort + "/v1/metrics"), forwarding.toString());
            assertEquals("ok", health(local).path("status").asText(), "unreachable is not a failure of ours");
            assertTrue(local.get("/metrics").body().contains("claude_token_metrics_forward_queue_exports 20"));

            try (var upstream = RunningReceiver.start(Files.createDirectory(temp.resolve("upstream")), upstreamPort,
                    ServerLimits.DEFAULTS)) {
                long total = expected;
                upstream.awaitMetrics(m -> sessionTokens(m, "s-outage") == total, Duration.ofSeconds(30));
                awaitHealth(local, h -> h.path("forwarding").path("queuedExports").asLong() == 0);
                assertEquals(expected, sessionTokens(upstream.awaitPublished(), "s-outage"));
            }
        }
    }

    @Test
    void aFullQueueDropsTheOldestCountsThemAndLosesNothingElse() throws Exception {
        int upstreamPort = DaemonProcess.freePort();
        try (var local = local("local", forwardTo(upstreamPort, "--forward-queue-max", "64KiB"))) {
            int exports = 0;
            while (health(local).path("forwarding").path("droppedExports").asLong() == 0) {
                post(local, export("s-full", exports++));
            }
            for (int i = 0; i < 50; i++) {
                post(local, export("s-full", exports++));
            }
            JsonNode forwarding = health(local).path("forwarding");
            long dropped = forwarding.path("droppedExports").asLong();
            long queued = forwarding.path("queuedExports").asLong();
            assertEquals(exports, dropped + queued, "every export is either queued or counted as dropped");
            assertTrue(forwarding.path("queuedBytes").asLong() <= 64 << 10, forwarding.toString());
            assertTrue(local.get("/metrics").body().contains("claude_token_metrics_forward_dropped_exports_total "
                    + dropped));
            long expected = 0;
            for (int n = (int) dropped; n < exports; n++) { // the oldest go first
                expected += tokens(n);
            }
            try (var upstream = RunningReceiver.start(Files.createDirectory(temp.resolve("upstream")), upstreamPort,
                    ServerLimits.DEFAULTS)) {
                long total = expected;
                upstream.awaitMetrics(m -> sessionTokens(m, "s-full") == total, Duration.ofSeconds(30));
                awaitHealth(local, h -> h.path("forwarding").path("queuedExports").asLong() == 0);
                assertEquals(expected, sessionTokens(upstream.awaitPublished(), "s-full"), "nothing else lost");
            }
            long all = 0;
            for (int n = 0; n < exports; n++) {
                all += tokens(n);
            }
            assertEquals(all, sessionTokens(local.awaitPublished(), "s-full"), "locally, nothing is ever dropped");
        }
    }

    @Test
    void theQueueSurvivesKillMinus9AndNothingIsSentTwice() throws Exception {
        int upstreamPort = DaemonProcess.freePort();
        int localPort = DaemonProcess.freePort();
        Path home = Files.createDirectory(temp.resolve("local"));
        String[] args = {"--port", Integer.toString(localPort), "--forward-endpoint",
                "http://127.0.0.1:" + upstreamPort, "--forward-retry-max", "200ms"};
        HttpClient client = HttpClient.newHttpClient();
        var daemon = DaemonProcess.start(home, args).awaitHealthy(localPort);
        long expected = 0;
        for (int n = 0; n < 30; n++) {
            assertTrue(DaemonProcess.export(client, localPort, "/v1/metrics", export("s-kill", n).toByteArray()));
            expected += tokens(n);
        }
        daemon.process.destroyForcibly(); // SIGKILL: acknowledged means queued, in the page cache
        daemon.awaitExit();
        daemon = DaemonProcess.start(home, args).awaitHealthy(localPort);
        try (var upstream = RunningReceiver.start(Files.createDirectory(temp.resolve("upstream")), upstreamPort,
                ServerLimits.DEFAULTS)) {
            long total = expected;
            upstream.awaitMetrics(m -> sessionTokens(m, "s-kill") == total, Duration.ofSeconds(30));
            JsonNode forwarding = awaitHealthAt(client, localPort,
                    h -> h.path("forwarding").path("queuedExports").asLong() == 0).path("forwarding");
            assertEquals(30, forwarding.path("sentExports").asLong(), "each queued export sent once after the crash");
            assertEquals(expected, sessionTokens(upstream.awaitPublished(), "s-kill"));
        } finally {
            daemon.process.destroy();
            daemon.awaitExit();
        }
    }

    private static JsonNode awaitHealthAt(HttpClient client, int port, Predicate<JsonNode> condition)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode health = JSON.readTree(client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            if (condition.test(health)) {
                return health;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/health never matched; last: " + health);
            }
            Thread.sleep(20);
        }
    }

    /**
     * An OTLP/HTTP endpoint on loopback that records every request and answers from a script of answers (200 with
     * an empty response when the script is empty).
     */
    static final class RecordingUpstream implements AutoCloseable {

        record Request(String path, String contentType, String contentEncoding, String authorization, byte[] body) {
        }

        record Answer(int status, String retryAfter, byte[] body) {
        }

        final List<Request> requests = new CopyOnWriteArrayList<>();
        final Deque<Answer> answers = new java.util.concurrent.ConcurrentLinkedDeque<>();
        private final HttpServer server;

        RecordingUpstream() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setExecutor(Executors.newSingleThreadExecutor());
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
                    body = "gzip".equals(encoding) ? new GZIPInputStream(in).readAllBytes() : in.readAllBytes();
                }
                requests.add(new Request(exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Content-Encoding"),
                        exchange.getRequestHeaders().getFirst("Authorization"), body));
                Answer answer = answers.poll();
                if (answer == null) {
                    answer = new Answer(200, null, new byte[0]);
                }
                if (answer.retryAfter() != null) {
                    exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
                exchange.getResponseBody().write(answer.body());
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
