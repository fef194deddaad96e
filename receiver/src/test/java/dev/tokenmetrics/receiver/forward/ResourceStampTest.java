package dev.tokenmetrics.receiver.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The team's attributes are added to every resource on the wire, and nothing else changes. */
class ResourceStampTest {

    private static final ResourceStamp STAMP = new ResourceStamp(new LinkedHashMap<>(Map.of("host.name", "box",
            "user.name", "ada")));

    private static Map<String, String> attributes(Resource resource) {
        var attributes = new LinkedHashMap<String, String>();
        for (KeyValue kv : resource.getAttributesList()) {
            attributes.put(kv.getKey(), kv.getValue().getStringValue());
        }
        return attributes;
    }

    @Test
    void everyResourceOfAMetricsExportGetsTheAttributesItLacks() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        ExportMetricsServiceRequest first = Otlp.usage("s1", "claude-x", io.opentelemetry.proto.metrics.v1
                .AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, t, t.plusSeconds(5), 1, 2, 3, 4, 0.5);
        ExportMetricsServiceRequest second = Otlp.request(List.of(Otlp.kv("host.name", "own-host")),
                first.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0));
        ExportMetricsServiceRequest both = first.toBuilder().addAllResourceMetrics(second.getResourceMetricsList())
                .build();

        var stamped = ExportMetricsServiceRequest.parseFrom(STAMP.apply(both.toByteArray()));

        assertEquals(Map.of("service.name", "claude-code", "service.version", "2.1.331", "host.name", "box",
                "user.name", "ada"), attributes(stamped.getResourceMetrics(0).getResource()));
        assertEquals(Map.of("host.name", "own-host", "user.name", "ada"),
                attributes(stamped.getResourceMetrics(1).getResource()), "what the resource says of itself wins");
        assertEquals(both.getResourceMetrics(0).getScopeMetricsList(),
                stamped.getResourceMetrics(0).getScopeMetricsList(), "the data itself unchanged");
        assertEquals(both.getResourceMetrics(1).getScopeMetricsList(),
                stamped.getResourceMetrics(1).getScopeMetricsList());
    }

    @Test
    void aResourceIsCreatedWhereTheExportHadNone() throws Exception {
        var logs = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setSchemaUrl("https://schema")).build();
        var stamped = ExportLogsServiceRequest.parseFrom(STAMP.apply(logs.toByteArray()));
        assertEquals(Map.of("host.name", "box", "user.name", "ada"),
                attributes(stamped.getResourceLogs(0).getResource()));
        assertEquals("https://schema", stamped.getResourceLogs(0).getSchemaUrl());
    }

    @Test
    void tracesAndClaudeCodesRecordedExportAreStampedToo() throws Exception {
        var traces = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(Otlp.kv("service.name", "claude-code")))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("turn")))).build();
        var stampedTraces = ExportTraceServiceRequest.parseFrom(STAMP.apply(traces.toByteArray()));
        assertEquals("ada", attributes(stampedTraces.getResourceSpans(0).getResource()).get("user.name"));
        assertEquals("turn", stampedTraces.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName());

        byte[] recorded = Otlp.resource("cc-2.1.330-metrics-cumulative.pb");
        var original = ExportMetricsServiceRequest.parseFrom(recorded);
        var stamped = ExportMetricsServiceRequest.parseFrom(STAMP.apply(recorded));
        assertEquals(original.getResourceMetricsCount(), stamped.getResourceMetricsCount());
        assertEquals("box", attributes(stamped.getResourceMetrics(0).getResource()).get("host.name"));
        assertEquals(original.getResourceMetrics(0).getScopeMetricsList(),
                stamped.getResourceMetrics(0).getScopeMetricsList());
    }

    @Test
    void withoutAttributesTheBytesAreUntouchedAndGarbageIsRefused() throws Exception {
        byte[] bytes = Otlp.request().toByteArray();
        assertArrayEquals(bytes, new ResourceStamp(Map.of()).apply(bytes));
        assertThrows(MalformedRequestException.class, () -> STAMP.apply(new byte[] {10, 50, 1}));
    }
}
