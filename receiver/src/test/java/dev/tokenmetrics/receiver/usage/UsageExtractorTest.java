package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.Otlp.COST;
import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.TOKENS;
import static dev.tokenmetrics.receiver.Otlp.point;
import static dev.tokenmetrics.receiver.Otlp.request;
import static dev.tokenmetrics.receiver.Otlp.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.OtlpJson;
import dev.tokenmetrics.receiver.otlp.JsonEncoding;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.Sum;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UsageExtractorTest {

    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant TIME = START.plusSeconds(5);

    @Test
    void readsClaudeCodesRecordedDeltaExport() throws MalformedRequestException {
        var request = OtlpJson.decode(Otlp.resource("cc-2.1.330-metrics-delta.json"),
                ExportMetricsServiceRequest.getDefaultInstance());

        Extraction extraction = Otlp.extract(request);

        assertEquals(0, extraction.rejected());
        List<UsagePoint> points = extraction.batch().points();
        assertEquals(5, points.size(), "four token types and one cost; other metrics are not usage");
        UsagePoint input = points.stream().filter(p -> p.tokenType() == TokenType.INPUT).findFirst().orElseThrow();
        assertEquals("e2f7c84b-4b26-4b2e-b1d3-d07f29d53082", input.sessionId());
        assertEquals("claude-opus-5-5", input.model());
        assertEquals(Temporality.DELTA, input.temporality());
        assertEquals(1011, input.value());
        UsagePoint cost = points.stream().filter(p -> p.metric() == dev.tokenmetrics.receiver.usage.Metric.COST_USAGE)
                .findFirst().orElseThrow();
        assertEquals(0.005024000000000001, cost.value());
        SessionResource resource = extraction.batch().resources().get(0);
        assertEquals("2.1.330", resource.attributes().get("service.version"));
        assertEquals("xterm", resource.attributes().get("terminal.type"));
    }

    @Test
    void countsApiRequestEventsFromTheRecordedLogExport() throws MalformedRequestException {
        var request = OtlpJson.decode(Otlp.resource("cc-2.1.330-logs.json"),
                ExportLogsServiceRequest.getDefaultInstance());

        List<ApiRequest> requests = new UsageExtractor().logs(request.toByteArray()).batch().apiRequests();

        assertEquals(1, requests.size(), "one api_request among seven events");
        assertEquals("e2f7c84b-4b26-4b2e-b1d3-d07f29d53082", requests.get(0).sessionId());
        assertEquals("claude-opus-5-5", requests.get(0).model());
    }

    @Test
    void anApiRequestIsKnownByItsEventNameOrElseByItsBody() throws MalformedRequestException {
        var export = Otlp.apiRequest("s", "req_1", Instant.parse("2026-12-01T10:00:00Z"), 10, 5, "0.01");
        LogRecord event = export.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        LogRecord unnamed = event.toBuilder().clearAttributes().addAllAttributes(event.getAttributesList().stream()
                .filter(attribute -> !attribute.getKey().equals("event.name")).toList()).build();

        assertEquals(1, apiRequests(export, event));
        assertEquals(1, apiRequests(export, unnamed), "the body names it");
        assertEquals(0, apiRequests(export, unnamed.toBuilder()
                .setBody(AnyValue.newBuilder().setStringValue("claude_code.user_prompt")).build()));
        assertEquals(0, apiRequests(export, unnamed.toBuilder().setBody(AnyValue.newBuilder().setIntValue(7)).build()));
        assertEquals(0, apiRequests(export, unnamed.toBuilder().clearBody().build()));
    }

    private static int apiRequests(ExportLogsServiceRequest export, LogRecord event) throws MalformedRequestException {
        var request = export.toBuilder();
        request.getResourceLogsBuilder(0).getScopeLogsBuilder(0).setLogRecords(0, event);
        return new UsageExtractor().logs(request.build().toByteArray()).batch().apiRequests().size();
    }

    @Test
    void rejectsPointsThatCannotBeUsageAndKeepsTheRest() {
        var request = request(sum(TOKENS, DELTA,
                point("s", "m", "input", START, TIME, 10),
                point("s", "m", "output", START, TIME, Double.NaN),
                point("s", "m", "cacheRead", START, TIME, Double.POSITIVE_INFINITY),
                point("s", "m", "cacheCreation", START, TIME, -3),
                point("s", "m", "thinking", START, TIME, 4),
                point("s", "m", "input", START, TIME, 1.5)));

        Extraction extraction = Otlp.extract(request);

        assertEquals(1, extraction.batch().points().size());
        assertEquals(5, extraction.rejected());
        assertTrue(extraction.errorMessage().contains("not finite"), extraction.errorMessage());
        assertTrue(extraction.errorMessage().contains("negative delta"), extraction.errorMessage());
    }

    @Test
    void rejectsValuesNoRequestReaches() {
        var request = request(sum(TOKENS, DELTA,
                point("s", "m", "input", START, TIME, 1e12),
                point("s", "m", "output", START, TIME, 1e12 + 1),
                point("s", "m", "cacheRead", START, TIME, 999_999_999_999_999.0)),
                sum(COST, DELTA, point("s", "m", null, START, TIME, 2e12)));

        Extraction extraction = Otlp.extract(request);

        assertEquals(1, extraction.batch().points().size(), "a trillion tokens is the most a point may carry");
        assertEquals(3, extraction.rejected());
        assertTrue(extraction.errorMessage().contains("implausibly large"), extraction.errorMessage());
    }

    @Test
    void stampsEachBatchWithTheTimeItWasReceived() throws MalformedRequestException {
        Instant received = Instant.parse("2026-11-24T12:34:56.789Z");
        var extractor = new UsageExtractor(Clock.fixed(received, ZoneOffset.UTC));
        var logs = OtlpJson.decode(Otlp.resource("cc-2.1.330-logs.json"), ExportLogsServiceRequest.getDefaultInstance());

        assertEquals(Otlp.nanos(received),
                extractor.metrics(request(sum(TOKENS, DELTA, point("s", "m", "input", START, TIME, 1))).toByteArray())
                        .batch().receivedNanos());
        assertEquals(Otlp.nanos(received), extractor.logs(logs.toByteArray()).batch().receivedNanos());
    }

    @Test
    void rejectsTrackedMetricsThatAreNotMonotonicSums() {
        Metric notMonotonic = sum(COST, DELTA, point("s", "m", null, START, TIME, 1)).toBuilder()
                .setSum(Sum.newBuilder().setIsMonotonic(false).setAggregationTemporality(DELTA)
                        .addDataPoints(point("s", "m", null, START, TIME, 1)))
                .build();
        Metric gauge = Metric.newBuilder().setName(TOKENS)
                .setGauge(Gauge.newBuilder().addDataPoints(point("s", "m", "input", START, TIME, 1))).build();
        Metric noTemporality = Metric.newBuilder().setName(TOKENS).setSum(Sum.newBuilder().setIsMonotonic(true)
                .addDataPoints(point("s", "m", "input", START, TIME, 1))).build();

        Extraction extraction = Otlp.extract(request(notMonotonic, gauge, noTemporality));

        assertEquals(0, extraction.batch().points().size());
        assertEquals(3, extraction.rejected());
        assertTrue(extraction.errorMessage().contains("must be a sum, got gauge"), extraction.errorMessage());
    }

    @Test
    void aPointWithoutSessionIdStillCountsButNamesNoSession() {
        var point = point("s", "m", "input", START, TIME, 5).toBuilder().removeAttributes(1).build();
        Extraction extraction = Otlp.extract(request(sum(TOKENS, DELTA, point)));

        assertEquals("", extraction.batch().points().get(0).sessionId());
        assertEquals(0, extraction.rejected());
    }

    @Test
    void theStreamIgnoresAttributeOrderButNotAttributeValues() {
        var point = point("s", "m", "input", START, TIME, 5);
        var attributes = new java.util.ArrayList<>(point.getAttributesList());
        java.util.Collections.reverse(attributes);
        var reordered = point.toBuilder().clearAttributes().addAllAttributes(attributes).build();
        var otherSession = point("s2", "m", "input", START, TIME, 5);

        StreamId a = Otlp.extract(request(sum(TOKENS, DELTA, point))).batch().points().get(0).stream();
        StreamId b = Otlp.extract(request(sum(TOKENS, DELTA, reordered))).batch().points().get(0).stream();
        StreamId c = Otlp.extract(request(sum(TOKENS, DELTA, otherSession))).batch().points().get(0).stream();

        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void streamIdsStayThoseOfEarlierReleasesSoPersistedCumulativeStateStillMatches() throws Exception {
        byte[] wire = new JsonEncoding().toWire(Otlp.resource("cc-2.1.330-metrics-delta.json"), Signal.METRICS);

        List<UsagePoint> points = new UsageExtractor().metrics(wire).batch().points();

        // Recorded with the release that built stream ids from protobuf messages (before wire decoding).
        assertEquals(new StreamId(0xa826f944ca1c3bdeL, 0x46f6fcb5dfd0a195L), points.get(0).stream()); // cost
        assertEquals(new StreamId(0x73c4e29c8d4652c6L, 0xc4e1e883085541adL), points.get(1).stream()); // input
        assertEquals(new StreamId(0x36711286d372e6daL, 0x2c48e6d2488dcf77L), points.get(4).stream()); // cacheCreation
    }

    @Test
    void aTruncatedExportIsMalformedOrAShorterValidOneNeverAnotherFailure() throws Exception {
        byte[] whole = Otlp.resource("cc-2.1.330-metrics-cumulative.pb");
        int malformed = 0;
        for (int length = 0; length < whole.length; length++) {
            try {
                Extraction extraction = new UsageExtractor().metrics(Arrays.copyOf(whole, length));
                assertTrue(extraction.batch().points().size() <= 5);
            } catch (MalformedRequestException e) {
                malformed++;
            }
        }
        assertTrue(malformed > whole.length * 9 / 10, malformed + " of " + whole.length);
    }

    @Test
    void randomBytesAreMalformedOrHoldNoUsageNeverAnotherFailure() {
        var random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] body = new byte[random.nextInt(300)];
            random.nextBytes(body);
            try {
                assertEquals(0, new UsageExtractor().metrics(body).batch().points().size());
                new UsageExtractor().logs(body);
            } catch (MalformedRequestException expected) {
                // the common case
            }
        }
    }

    @Test
    void aSessionIdThatIsNotUtf8MakesTheExportMalformed() {
        byte[] wire = request(sum(TOKENS, DELTA, point("\u00e9", "m", "input", START, TIME, 5))).toByteArray();
        for (int i = 0; i + 1 < wire.length; i++) {
            if (wire[i] == (byte) 0xC3 && wire[i + 1] == (byte) 0xA9) {
                wire[i + 1] = 0x28; // "é" becomes a lead byte followed by '(': not UTF-8
            }
        }

        assertThrows(MalformedRequestException.class, () -> new UsageExtractor().metrics(wire));
    }

    @Test
    void aKnownFieldSentWithAnotherWireTypeIsSkippedAsUnknown() throws Exception {
        byte[] good = request(sum(TOKENS, DELTA, point("s", "m", "input", START, TIME, 5))).toByteArray();
        // field 1 (resource_metrics) as a varint, in front of the real export: skipped, as generated parsers do
        byte[] body = new byte[good.length + 2];
        body[0] = 0x08;
        body[1] = 0x05;
        System.arraycopy(good, 0, body, 2, good.length);

        assertEquals(1, new UsageExtractor().metrics(body).batch().points().size());
    }
}
