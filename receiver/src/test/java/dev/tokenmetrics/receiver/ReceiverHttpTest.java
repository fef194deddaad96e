package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The receiver over real HTTP: every encoding, the OTLP responses, and every refusal. */
class ReceiverHttpTest {

    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";
    private static final String SESSION = "e2f7c84b-4b26-4b2e-b1d3-d07f29d53082";

    @TempDir
    Path home;
    private RunningReceiver receiver;

    @BeforeEach
    void start() throws IOException {
        receiver = RunningReceiver.start(home);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    static byte[] gzip(byte[] plain) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        }
        return out.toByteArray();
    }

    static byte[] encode(Message message, String contentType) {
        return contentType.equals(JSON) ? OtlpJson.encode(message) : message.toByteArray();
    }

    /** Claude Code 2.1.330's recorded delta export, moved to the present so that it counts as today. */
    static ExportMetricsServiceRequest recordedExport() throws Exception {
        var recorded = OtlpJson.decode(Otlp.resource("cc-2.1.330-metrics-delta.json"),
                ExportMetricsServiceRequest.getDefaultInstance());
        return Otlp.retimed(recorded, Instant.now());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"application/json, identity", "application/json, gzip",
                "application/x-protobuf, identity", "application/x-protobuf, gzip"})
    void countsClaudeCodesExportInEveryEncoding(String contentType, String contentEncoding) throws Exception {
        byte[] body = encode(recordedExport(), contentType);
        body = contentEncoding.equals("gzip") ? gzip(body) : body;

        HttpResponse<byte[]> response = receiver.post("/v1/metrics", contentType, contentEncoding, body);

        assertEquals(200, response.statusCode());
        assertEquals(contentType, response.headers().firstValue("Content-Type").orElseThrow());
        assertNull(partialSuccess(response, Signal.METRICS), "full success leaves partial_success unset");
        JsonNode session = receiver.awaitSession(SESSION);
        assertEquals(1011, session.path("tokens").path("input").asLong());
        assertEquals(41, session.path("tokens").path("output").asLong());
        assertEquals(300, session.path("tokens").path("cacheRead").asLong());
        assertEquals(20, session.path("tokens").path("cacheCreation").asLong());
        assertEquals(1372, session.path("tokens").path("total").asLong());
        assertEquals("0.005024", session.path("costUsd").asText());
        assertEquals(1372, receiver.metrics().path("today").path("tokens").path("total").asLong());
        assertEquals(1372, receiver.metrics().path("totalUsed").asLong());
    }

    @Test
    void aRetriedExportCountsOnce() throws Exception {
        byte[] body = recordedExport().toByteArray();
        receiver.post("/v1/metrics", PROTOBUF, null, body);
        receiver.post("/v1/metrics", PROTOBUF, null, body);

        assertEquals(1372, receiver.awaitSession(SESSION).path("tokens").path("total").asLong());
    }

    @ParameterizedTest
    @CsvSource({"application/json", "application/x-protobuf"})
    void reportsRejectedPointsAsPartialSuccessInTheRequestsEncoding(String contentType) throws Exception {
        Instant now = Instant.now();
        var request = Otlp.request(Otlp.sum(Otlp.TOKENS, Otlp.DELTA,
                Otlp.point("s1", "m", "input", now.minusSeconds(1), now, 10),
                Otlp.point("s1", "m", "output", now.minusSeconds(1), now, Double.NaN)));

        HttpResponse<byte[]> response = receiver.post("/v1/metrics", contentType, null, encode(request, contentType));

        assertEquals(200, response.statusCode());
        PartialSuccess partial = partialSuccess(response, Signal.METRICS);
        assertEquals(1, partial.rejected());
        assertTrue(partial.errorMessage().contains("not finite"), partial.errorMessage());
        assertEquals(10, receiver.awaitSession("s1").path("tokens").path("input").asLong(), "the rest still counts");
    }

    @ParameterizedTest
    @CsvSource({"application/json", "application/x-protobuf"})
    void acknowledgesLogsAndCountsApiRequests(String contentType) throws Exception {
        var logs = OtlpJson.decode(Otlp.resource("cc-2.1.330-logs.json"), ExportLogsServiceRequest.getDefaultInstance());
        var record = logs.getResourceLogs(0).getScopeLogs(0).getLogRecordsList();
        long now = Otlp.nanos(Instant.now());
        var builder = logs.toBuilder();
        for (var log : builder.getResourceLogsBuilder(0).getScopeLogsBuilder(0).getLogRecordsBuilderList()) {
            log.setTimeUnixNano(now).setObservedTimeUnixNano(now);
        }
        byte[] body = encode(builder.build(), contentType);
        assertEquals(7, record.size());

        HttpResponse<byte[]> first = receiver.post("/v1/logs", contentType, null, body);
        receiver.post("/v1/logs", contentType, null, body); // a retry
        receiver.post("/v1/metrics", PROTOBUF, null, recordedExport().toByteArray()); // sessions show with usage

        assertEquals(200, first.statusCode());
        assertNull(partialSuccess(first, Signal.LOGS));
        assertEquals(1, receiver.awaitSession(SESSION).path("apiRequests").asLong());
    }

    @ParameterizedTest
    @CsvSource({"application/json", "application/x-protobuf"})
    void acknowledgesTraces(String contentType) throws Exception {
        var traces = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("claude_code.interaction")
                        .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[16]))))).build();

        HttpResponse<byte[]> response = receiver.post("/v1/traces", contentType, null, encode(traces, contentType));

        assertEquals(200, response.statusCode());
        assertNull(partialSuccess(response, Signal.TRACES));
    }

    @Test
    void healthIdentifiesTheDaemon() throws Exception {
        HttpResponse<String> response = receiver.get("/health");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"service\":\"claude-token-metrics-receiver\""), response.body());
        assertTrue(response.body().contains("\"pid\":" + ProcessHandle.current().pid()), response.body());
        assertTrue(response.body().contains("\"sessions\":0"), response.body());
    }

    @Test
    void healthCountsActiveSessionsExceptThoseOfTheNamedLaunch() throws Exception {
        Instant now = Instant.now();
        var mine = Otlp.usage("mine", "m", Otlp.DELTA, now.minusSeconds(2), now, 1, 0, 0, 0, 0);
        mine = mine.toBuilder().setResourceMetrics(0, mine.getResourceMetrics(0).toBuilder()
                .setResource(mine.getResourceMetrics(0).getResource().toBuilder()
                        .addAttributes(Otlp.kv("claude_token_metrics.launch", "L1")))).build();
        receiver.post("/v1/metrics", PROTOBUF, null, mine.toByteArray());
        receiver.post("/v1/metrics", PROTOBUF, null,
                Otlp.usage("other", "m", Otlp.DELTA, now.minusSeconds(2), now, 1, 0, 0, 0, 0).toByteArray());

        assertTrue(receiver.get("/health").body().contains("\"activeSessions\":2"));
        assertTrue(receiver.get("/health?exclude-launch=L1").body().contains("\"activeSessions\":1"));
    }

    @Test
    void servesPrometheusTheTextFormatOrOpenMetricsAsAsked() throws Exception {
        receiver.post("/v1/metrics", PROTOBUF, null, recordedExport().toByteArray());
        receiver.post("/v1/metrics", PROTOBUF, null, new byte[] {(byte) 0xFF, 1, 2});

        HttpResponse<String> text = receiver.get("/metrics");
        assertEquals(200, text.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(text.body().contains("claude_token_metrics_exports_total{signal=\"metrics\",encoding=\"protobuf\","
                + "result=\"accepted\"} 1\n"), text.body());
        assertTrue(text.body().contains("claude_token_metrics_exports_total{signal=\"metrics\",encoding=\"protobuf\","
                + "result=\"bad_request\"} 1\n"), text.body());

        String openMetrics = receiver.raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
                + "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\nConnection: close\r\n\r\n");
        assertTrue(openMetrics.startsWith("HTTP/1.1 200")
                && openMetrics.contains("application/openmetrics-text; version=1.0.0")
                && openMetrics.endsWith("# EOF\n"), openMetrics);
        String head = receiver.raw("HEAD /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertTrue(head.startsWith("HTTP/1.1 200") && !head.contains("# HELP"), head);
        assertStatus(405, receiver.post("/metrics", "text/plain", null, new byte[0]));
        String foreign = receiver.raw("GET /metrics HTTP/1.1\r\nHost: evil.example:4318\r\n\r\n");
        assertTrue(foreign.startsWith("HTTP/1.1 403"), foreign);
    }

    @Test
    void refusesWhatIsNotAnOtlpExport() throws Exception {
        byte[] body = recordedExport().toByteArray();
        assertStatus(415, receiver.post("/v1/metrics", "text/plain", null, body));
        assertStatus(415, receiver.post("/v1/metrics", PROTOBUF, "br", body));
        assertStatus(404, receiver.post("/v1/profiles", PROTOBUF, null, body));
        assertStatus(404, receiver.post("/v1", PROTOBUF, null, body));
        assertStatus(405, receiver.post("/", PROTOBUF, null, body)); // the dashboard: GET only
        assertEquals(405, receiver.get("/v1/metrics").statusCode());

        HttpResponse<byte[]> malformed = receiver.post("/v1/metrics", PROTOBUF, null, new byte[] {(byte) 0xFF, 1, 2});
        assertStatus(400, malformed);
        assertEquals(PROTOBUF, malformed.headers().firstValue("Content-Type").orElseThrow(),
                "the google.rpc.Status comes in the request's encoding");
        HttpResponse<byte[]> malformedJson = receiver.post("/v1/metrics", JSON, null, "{\"resourceMetrics\":7}".getBytes());
        assertStatus(400, malformedJson);
        assertEquals("{\"code\":3,\"message\":\"field resourceMetrics must be an array\"}",
                new String(malformedJson.body(), StandardCharsets.UTF_8));
    }

    @Test
    void refusesBodiesOverTheLimitOnTheWireAndDecompressed() throws Exception {
        assertStatus(413, receiver.post("/v1/metrics", PROTOBUF, null, new byte[4 * 1024 * 1024 + 1]));
        assertStatus(413, receiver.post("/v1/metrics", PROTOBUF, "gzip", gzip(new byte[40 * 1024 * 1024])));
        assertEquals(200, receiver.get("/health").statusCode(), "still serving");
    }

    @Test
    void aClientStillSendingARefusedBodyAlwaysReceivesTheRefusal() throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            try (var socket = new java.net.Socket("127.0.0.1", receiver.port())) {
                socket.setSoTimeout(10_000);
                var out = socket.getOutputStream();
                int length = 4 * 1024 * 1024 + 1;
                out.write(("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + PROTOBUF
                        + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[length]); // the whole body, as a client that does not wait for an early answer
                out.flush();
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 413") && answer.contains("connection: close"), answer);
            }
        }
    }

    @Test
    void refusesBrowsersAndForeignHosts() throws Exception {
        String withOrigin = receiver.raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n\r\n");
        assertTrue(withOrigin.startsWith("HTTP/1.1 403"), withOrigin);
        String rebound = receiver.raw("GET /health HTTP/1.1\r\nHost: evil.example:4318\r\n\r\n");
        assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
        for (String host : new String[] {"localhost:4318", "127.0.0.1", "[::1]:4318", "127.1.2.3"}) {
            String ok = receiver.raw("GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertTrue(ok.startsWith("HTTP/1.1 200"), host + ": " + ok);
        }
    }

    @Test
    void acceptsChunkedBodiesAsTheJavaScriptExporterSendsThem() throws Exception {
        byte[] body = OtlpJson.encode(recordedExport());
        int half = body.length / 2;
        var request = new StringBuilder("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        String text = new String(body, StandardCharsets.ISO_8859_1);
        request.append(Integer.toHexString(half)).append("\r\n").append(text, 0, half).append("\r\n");
        request.append(Integer.toHexString(body.length - half)).append("\r\n").append(text.substring(half)).append("\r\n");
        request.append("0\r\n\r\n");

        String response = receiver.raw(request.toString());

        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertEquals(1372, receiver.awaitSession(SESSION).path("tokens").path("total").asLong());
    }

    private static void assertStatus(int expected, HttpResponse<byte[]> response) {
        assertEquals(expected, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
    }

    /** A response's partial_success: the rejected count and the error message. */
    private record PartialSuccess(long rejected, String errorMessage) {
    }

    /** Reads the partial_success of a signal's response in the response's own encoding; null when it is unset. */
    private static PartialSuccess partialSuccess(HttpResponse<byte[]> response, Signal signal) throws Exception {
        byte[] body = response.body();
        if (response.headers().firstValue("Content-Type").orElseThrow().equals(JSON)) {
            JsonNode partial = new ObjectMapper().readTree(body).path("partialSuccess");
            String count = switch (signal) {
                case METRICS -> "rejectedDataPoints";
                case LOGS -> "rejectedLogRecords";
                case TRACES -> "rejectedSpans";
            };
            return partial.isMissingNode() ? null
                    : new PartialSuccess(partial.path(count).asLong(), partial.path("errorMessage").asText(""));
        }
        return switch (signal) {
            case METRICS -> {
                var decoded = ExportMetricsServiceResponse.parseFrom(body);
                yield decoded.hasPartialSuccess() ? new PartialSuccess(decoded.getPartialSuccess().getRejectedDataPoints(),
                        decoded.getPartialSuccess().getErrorMessage()) : null;
            }
            case LOGS -> {
                var decoded = ExportLogsServiceResponse.parseFrom(body);
                yield decoded.hasPartialSuccess() ? new PartialSuccess(decoded.getPartialSuccess().getRejectedLogRecords(),
                        decoded.getPartialSuccess().getErrorMessage()) : null;
            }
            case TRACES -> {
                var decoded = ExportTraceServiceResponse.parseFrom(body);
                yield decoded.hasPartialSuccess() ? new PartialSuccess(decoded.getPartialSuccess().getRejectedSpans(),
                        decoded.getPartialSuccess().getErrorMessage()) : null;
            }
        };
    }
}
