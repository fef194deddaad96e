package dev.tokenmetrics.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.OtlpJson;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class JsonEncodingTest {

    private final JsonEncoding json = new JsonEncoding();

    private ExportMetricsServiceRequest metrics(String body) throws MalformedRequestException {
        return OtlpJson.decode(body.getBytes(StandardCharsets.UTF_8), ExportMetricsServiceRequest.getDefaultInstance());
    }

    private static String onePoint(String pointJson) {
        return "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"sum\":"
                + "{\"aggregationTemporality\":1,\"isMonotonic\":true,\"dataPoints\":[" + pointJson + "]}}]}]}]}";
    }

    private static NumberDataPoint firstPoint(ExportMetricsServiceRequest request) {
        return request.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getSum().getDataPoints(0);
    }

    @Test
    void decodesTheRecordedClaudeCodeExportLikeItsProtobufTwin() throws Exception {
        var fromJson = metrics(new String(Otlp.resource("cc-2.1.330-metrics-delta.json"), StandardCharsets.UTF_8));
        var reencoded = ProtobufEncoding.parse(fromJson.toByteArray(), ExportMetricsServiceRequest.getDefaultInstance());

        assertEquals(fromJson, reencoded);
        assertEquals("claude_code.token.usage", fromJson.getResourceMetrics(0).getScopeMetrics(0).getMetrics(2).getName());
        assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                fromJson.getResourceMetrics(0).getScopeMetrics(0).getMetrics(2).getSum().getAggregationTemporality());
    }

    /** Round trips through OTLP JSON a request that sets a field of every type in {@link OtlpSchema.Type}. */
    @Test
    void transcodesEveryFieldTypeTheSchemaUses() throws Exception {
        var any = AnyValue.newBuilder();
        var resource = Resource.newBuilder().setDroppedAttributesCount(7) // UINT32
                .addAttributes(KeyValue.newBuilder().setKey("b").setKeyStrindex(-2) // STRING, INT32
                        .setValue(any.clone().setBytesValue(ByteString.copyFrom(new byte[] {0, -1, 42})))) // BYTES
                .addAttributes(KeyValue.newBuilder().setKey("i").setValue(any.clone().setIntValue(-9_000_000_000L))) // INT64
                .addAttributes(KeyValue.newBuilder().setKey("t").setValue(any.clone().setBoolValue(true))) // BOOL
                .addAttributes(KeyValue.newBuilder().setKey("l").setValue(any.clone().setArrayValue(ArrayValue.newBuilder()
                        .addValues(any.clone().setDoubleValue(0.25))))); // MESSAGE, DOUBLE
        var exponential = ExponentialHistogramDataPoint.newBuilder()
                .setScale(-3) // SINT32
                .setZeroCount(Long.parseUnsignedLong("18446744073709551610")) // FIXED64
                .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-2)
                        .addBucketCounts(1).addBucketCounts(Long.parseUnsignedLong("9223372036854775813"))) // UINT64
                .addExemplars(Exemplar.newBuilder().setAsInt(-5) // SFIXED64
                        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10"))) // HEX_ID
                        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("a1a2a3a4a5a6a7a8"))));
        var metrics = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(resource).addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder()
                        .setName("h").setExponentialHistogram(ExponentialHistogram.newBuilder()
                                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA) // ENUM
                                .addDataPoints(exponential))))).build();
        var logs = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(
                ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setFlags(0xFFFF_FFFE)))) // FIXED32
                .build();

        assertEquals(metrics, OtlpJson.decode(OtlpJson.encode(metrics), ExportMetricsServiceRequest.getDefaultInstance()));
        assertEquals(logs, OtlpJson.decode(OtlpJson.encode(logs), ExportLogsServiceRequest.getDefaultInstance()));
    }

    @Test
    void readsInt64AsStringOrNumber() throws Exception {
        assertEquals(1795416345144000000L, firstPoint(metrics(onePoint("{\"timeUnixNano\":\"1795416345144000000\"}"))).getTimeUnixNano());
        assertEquals(1795416345144000000L, firstPoint(metrics(onePoint("{\"timeUnixNano\":1795416345144000000}"))).getTimeUnixNano());
        assertEquals(-5, firstPoint(metrics(onePoint("{\"asInt\":\"-5\"}"))).getAsInt());
    }

    @Test
    void readsDecimalStringsAsLongParseLongDoes() {
        for (String valid : new String[] {"0", "-0", "+7", "007", "1795416345144000000", "9223372036854775807",
                "-9223372036854775808"}) {
            char[] padded = ("[" + valid + "]").toCharArray();
            assertEquals(Long.parseLong(valid), JsonEncoding.parseLong(padded, 1, valid.length()), valid);
        }
        for (String invalid : new String[] {"", "-", "+", "9223372036854775808", "-9223372036854775809",
                "18446744073709551615", " 1", "1 ", "1e3", "12a", "--1", "0x10"}) {
            assertThrows(NumberFormatException.class,
                    () -> JsonEncoding.parseLong(invalid.toCharArray(), 0, invalid.length()), invalid);
        }
    }

    @Test
    void readsInt64StringsPaddedWithSpaces() throws Exception {
        assertEquals(42, firstPoint(metrics(onePoint("{\"timeUnixNano\":\" 42 \"}"))).getTimeUnixNano());
    }

    @Test
    void readsFixed64BeyondLongMaxAsUnsigned() throws Exception {
        assertEquals(Long.parseUnsignedLong("18446744073709551615"),
                firstPoint(metrics(onePoint("{\"timeUnixNano\":\"18446744073709551615\"}"))).getTimeUnixNano());
    }

    @Test
    void readsEnumsAsIntegersOrNames() throws Exception {
        String byName = onePoint("{}").replace("\"aggregationTemporality\":1", "\"aggregationTemporality\":\"AGGREGATION_TEMPORALITY_CUMULATIVE\"");
        assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
                metrics(byName).getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getSum().getAggregationTemporality());
    }

    @Test
    void readsNonFiniteDoublesAsOtlpSpellsThem() throws Exception {
        assertTrue(Double.isNaN(firstPoint(metrics(onePoint("{\"asDouble\":\"NaN\"}"))).getAsDouble()));
        assertEquals(Double.NEGATIVE_INFINITY, firstPoint(metrics(onePoint("{\"asDouble\":\"-Infinity\"}"))).getAsDouble());
    }

    /** Decimals short enough for the transcoder's own fast path, and longer ones beside them, read to the same bit. */
    @Test
    void readsDoublesToTheBitAsParseDoubleDoes() throws Exception {
        var random = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            var number = new StringBuilder(random.nextBoolean() ? "-" : "");
            int digits = 1 + random.nextInt(20);
            int point = random.nextInt(digits + 1);
            for (int d = 0; d < digits; d++) {
                if (d == point && d > 0) {
                    number.append('.');
                }
                number.append(d == 0 && digits > 1 && point != 1 ? (char) ('1' + random.nextInt(9))
                        : (char) ('0' + random.nextInt(10)));
            }
            String text = number.toString();
            double read = firstPoint(metrics(onePoint("{\"asDouble\":" + text + "}"))).getAsDouble();
            double expected = text.equals("-0") ? 0.0 : Double.parseDouble(text); // -0 is the integer 0, as before
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(read), text);
        }
        for (String text : new String[] {"9007199254740993", "9007199254740992.5", "0.1", "0.3", "1e-320", "-0.0",
                "123456789012345678901234567890", "0.000000000000000000000001", "4.35", "1011.0"}) {
            double read = firstPoint(metrics(onePoint("{\"asDouble\":" + text + "}"))).getAsDouble();
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)), Double.doubleToRawLongBits(read), text);
        }
    }

    @Test
    void carriesEveryUnicodeCharacterThroughToTheMessage() throws Exception {
        String project = "caf\u00e9-\u6f22\u5b57-\ud83d\ude80-\\\"quoted\\\"";
        String body = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"project\","
                + "\"value\":{\"stringValue\":\"" + project + "\"}}]}}]}";
        var request = metrics(body);
        assertEquals("caf\u00e9-\u6f22\u5b57-\ud83d\ude80-\\\"quoted\\\"".translateEscapes(),
                request.getResourceMetrics(0).getResource().getAttributes(0).getValue().getStringValue());
    }

    @Test
    void refusesInvalidUtf8AnywhereWithTheBytesPosition() {
        String before = "{\"resourceMetrics\":[{\"schemaUrl\":\"a";
        for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xE6, (byte) 0xBC},
                {(byte) 0xFF}}) {
            byte[] body = (before + "\"}]}").getBytes(StandardCharsets.UTF_8);
            byte[] broken = new byte[body.length + bad.length];
            System.arraycopy(body, 0, broken, 0, before.length());
            System.arraycopy(bad, 0, broken, before.length(), bad.length);
            System.arraycopy(body, before.length(), broken, before.length() + bad.length, body.length - before.length());
            var e = assertThrows(MalformedRequestException.class, () -> json.toWire(broken, Signal.METRICS));
            assertEquals("invalid JSON: invalid UTF-8 at byte " + before.length(), e.getMessage());
            String unknown = new String(broken, StandardCharsets.ISO_8859_1).replace("schemaUrl", "futureUrl");
            assertThrows(MalformedRequestException.class, // ignored fields are checked all the same
                    () -> json.toWire(unknown.getBytes(StandardCharsets.ISO_8859_1), Signal.METRICS));
        }
    }

    @Test
    void matchesKeysWrittenWithEscapesAndSkipsAByteOrderMark() throws Exception {
        String body = "\ufeff{\"\\u0072esourceMetrics\":[{\"schema\\u0055rl\":\"s\\u00e9\"}]}";
        var request = metrics(body);
        assertEquals("s\u00e9", request.getResourceMetrics(0).getSchemaUrl());
    }

    /** A key is found by its bytes (JsonSchema hashes only its length and end bytes): all of them, up to its quote. */
    @Test
    void knowsAKeyOnlyWhenItIsWholeAndIgnoresItsNearNeighbours() throws Exception {
        String known = onePoint("{\"asInt\":\"5\"}");
        assertEquals(5, firstPoint(metrics(known)).getAsInt());
        for (String near : new String[] {"asIn", "asInt2", "asint", "asInt ", " asInt", "asInt\\u0000", "\u00e9asInt"}) {
            String body = onePoint("{\"" + near + "\":\"5\"}");
            assertEquals(NumberDataPoint.getDefaultInstance(), firstPoint(metrics(body)), near + " is not asInt");
            assertArrayEquals(new JacksonTranscoder().toWire(bytes(body), Signal.METRICS),
                    json.toWire(bytes(body), Signal.METRICS), near);
        }
        assertEquals(5, firstPoint(metrics(onePoint("{\"asInt\" \n:\"5\"}"))).getAsInt()); // space before the colon
        assertEquals(5, firstPoint(metrics(onePoint("{\"as\\u0049nt\":\"5\"}"))).getAsInt()); // escaped
        for (String cut : new String[] {"{\"resourceMetrics", "{\"resourceMetrics\"", "{\"resourceMetrics\" ",
                "{\"resourceMetrics\"[]}"}) {
            var e = assertThrows(MalformedRequestException.class, () -> json.toWire(bytes(cut), Signal.METRICS), cut);
            assertTrue(e.getMessage().startsWith("invalid JSON: "), e.getMessage());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesLongStringsAndMessagesWithTheirWholeLengths() throws Exception {
        for (int length : new int[] {127, 128, 16_383, 16_384, 70_000}) {
            String value = "v".repeat(length);
            var request = metrics("{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"k\","
                    + "\"value\":{\"stringValue\":\"" + value + "\"}}]},\"schemaUrl\":\"" + value + "\"}]}");
            assertEquals(value, request.getResourceMetrics(0).getResource().getAttributes(0).getValue().getStringValue());
            assertEquals(value, request.getResourceMetrics(0).getSchemaUrl());
        }
    }

    @Test
    void readsTraceAndSpanIdsAsHex() throws Exception {
        String body = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\","
                + "\"spanId\":\"eee19b7ec3c1b174\"}]}]}]}";
        var request = OtlpJson.decode(body.getBytes(StandardCharsets.UTF_8), ExportLogsServiceRequest.getDefaultInstance());
        var log = request.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
        assertArrayEquals(HexFormat.of().parseHex("5b8efff798038103d269b633813fc60c"), log.getTraceId().toByteArray());
        assertArrayEquals(HexFormat.of().parseHex("eee19b7ec3c1b174"), log.getSpanId().toByteArray());
    }

    @Test
    void acceptsOriginalFieldNamesAndIgnoresUnknownFields() throws Exception {
        var request = metrics("{\"resource_metrics\":[{\"futureField\":{\"x\":[1,2,{\"y\":null}]},"
                + "\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"newKind\":{}}]}]}],\"extra\":true}");
        assertEquals("m", request.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getName());
    }

    @Test
    void decodesSpansWithTheirIds() throws Exception {
        String body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\","
                + "\"spanId\":\"0102030405060708\",\"parentSpanId\":\"\",\"name\":\"claude_code.interaction\",\"kind\":1}]}]}]}";
        var request = OtlpJson.decode(body.getBytes(StandardCharsets.UTF_8), ExportTraceServiceRequest.getDefaultInstance());
        var span = request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertEquals(16, span.getTraceId().size());
        assertEquals(ByteString.EMPTY, span.getParentSpanId());
    }

    @Test
    void refusesWrongTypesWithTheFieldsName() {
        var e = assertThrows(MalformedRequestException.class, () -> metrics("{\"resourceMetrics\":{}}"));
        assertEquals("field resourceMetrics must be an array", e.getMessage());
        assertThrows(MalformedRequestException.class, () -> metrics(onePoint("{\"timeUnixNano\":\"soon\"}")));
        assertThrows(MalformedRequestException.class, () -> metrics(onePoint("{\"timeUnixNano\":1e400}")));
        assertThrows(MalformedRequestException.class, () -> metrics(onePoint("{\"asInt\":99999999999999999999999}")));
        assertThrows(MalformedRequestException.class, () -> metrics(onePoint("{\"startTimeUnixNano\":true}")));
        assertThrows(MalformedRequestException.class, () -> metrics("[]"));
        assertThrows(MalformedRequestException.class, () -> metrics("{\"resourceMetrics\":[]} trailing"));
        assertThrows(MalformedRequestException.class, () -> metrics("{\"resourceMetrics\":[{"));
        assertThrows(MalformedRequestException.class, () -> metrics(""));
    }

    @Test
    void refusesNestingDeeperThanOtlpNeeds() {
        String deep = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":"
                + "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":".repeat(40) + "{}" + "}]}}".repeat(40)
                + "}]}}]}";
        assertThrows(MalformedRequestException.class, () -> metrics(deep));
    }

    @Test
    void writesResponsesWithInt64AsStringsAndOnlyTheFieldsThatAreSet() {
        assertEquals("{\"partialSuccess\":{\"rejectedDataPoints\":\"2\",\"errorMessage\":\"bad\"}}",
                text(json.exportResponse(Signal.METRICS, 2, "bad")));
        assertEquals("{\"partialSuccess\":{\"rejectedLogRecords\":\"1\"}}", text(json.exportResponse(Signal.LOGS, 1, "")));
        assertEquals("{}", text(json.exportResponse(Signal.TRACES, 0, "")));
    }

    @Test
    void writesRpcStatus() {
        assertEquals("{\"code\":3,\"message\":\"nope\"}", text(json.status(3, "nope")));
    }

    private static String text(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
