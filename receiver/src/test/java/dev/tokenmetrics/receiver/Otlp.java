package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.usage.Extraction;
import dev.tokenmetrics.receiver.usage.UsageExtractor;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Builds OTLP requests shaped like Claude Code's, and loads the recorded ones. */
public final class Otlp {

    public static final AggregationTemporality DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
    public static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
    public static final String TOKENS = "claude_code.token.usage";
    public static final String COST = "claude_code.cost.usage";

    private Otlp() {
    }

    public static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    public static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    /** A point with Claude Code's attributes; {@code type} is null for cost points. */
    public static NumberDataPoint point(String session, String model, String type, Instant start, Instant time,
                                        double value) {
        var point = NumberDataPoint.newBuilder()
                .addAttributes(kv("user.id", "u1"))
                .addAttributes(kv("session.id", session))
                .addAttributes(kv("terminal.type", "xterm"))
                .addAttributes(kv("model", model))
                .setStartTimeUnixNano(nanos(start))
                .setTimeUnixNano(nanos(time))
                .setAsDouble(value);
        if (type != null) {
            point.addAttributes(kv("type", type));
        }
        return point.build();
    }

    public static Metric sum(String name, AggregationTemporality temporality, NumberDataPoint... points) {
        return Metric.newBuilder().setName(name)
                .setSum(Sum.newBuilder().setAggregationTemporality(temporality).setIsMonotonic(true)
                        .addAllDataPoints(List.of(points)))
                .build();
    }

    public static ExportMetricsServiceRequest request(Metric... metrics) {
        return request(List.of(kv("service.name", "claude-code"), kv("service.version", "2.1.331")), metrics);
    }

    public static ExportMetricsServiceRequest request(List<KeyValue> resource, Metric... metrics) {
        return ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAllAttributes(resource))
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("com.anthropic.claude_code")
                                        .setVersion("2.1.331"))
                                .addAllMetrics(List.of(metrics))))
                .build();
    }

    /**
     * One API call's usage as Claude Code exports it: four token points and a cost point, all in one stream set
     * per session and model.
     */
    public static ExportMetricsServiceRequest usage(String session, String model, AggregationTemporality temporality,
                                                    Instant start, Instant time, long input, long output,
                                                    long cacheRead, long cacheCreation, double cost) {
        var tokenPoints = new ArrayList<NumberDataPoint>();
        tokenPoints.add(point(session, model, "input", start, time, input));
        tokenPoints.add(point(session, model, "output", start, time, output));
        tokenPoints.add(point(session, model, "cacheRead", start, time, cacheRead));
        tokenPoints.add(point(session, model, "cacheCreation", start, time, cacheCreation));
        return request(sum(TOKENS, temporality, tokenPoints.toArray(NumberDataPoint[]::new)),
                sum(COST, temporality, point(session, model, null, start, time, cost)));
    }

    /**
     * What the extractor makes of a request built in a test (built requests are well-formed), received the moment its
     * latest point was taken, so that tests do not depend on the day they run.
     */
    public static Extraction extract(ExportMetricsServiceRequest request) {
        return extract(request, Instant.ofEpochSecond(0, latestTime(request)));
    }

    public static Extraction extract(ExportMetricsServiceRequest request, Instant received) {
        try {
            return new UsageExtractor(Clock.fixed(received, ZoneOffset.UTC)).metrics(request.toByteArray());
        } catch (MalformedRequestException e) {
            throw new AssertionError(e);
        }
    }

    private static long latestTime(ExportMetricsServiceRequest request) {
        long latest = 0;
        for (var rm : request.getResourceMetricsList()) {
            for (var sm : rm.getScopeMetricsList()) {
                for (var m : sm.getMetricsList()) {
                    for (var p : m.getSum().getDataPointsList()) {
                        latest = Math.max(latest, p.getTimeUnixNano());
                    }
                }
            }
        }
        return latest;
    }

    public static byte[] resource(String name) {
        try (InputStream in = Otlp.class.getResourceAsStream("/claude-code/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded request with every point's times moved so that its latest time is {@code newTime}. */
    public static ExportMetricsServiceRequest retimed(ExportMetricsServiceRequest request, Instant newTime) {
        long shift = nanos(newTime) - latestTime(request);
        var builder = request.toBuilder();
        for (var rm : builder.getResourceMetricsBuilderList()) {
            for (var sm : rm.getScopeMetricsBuilderList()) {
                for (var m : sm.getMetricsBuilderList()) {
                    if (m.hasSum()) {
                        for (var p : m.getSumBuilder().getDataPointsBuilderList()) {
                            p.setStartTimeUnixNano(p.getStartTimeUnixNano() + shift)
                                    .setTimeUnixNano(p.getTimeUnixNano() + shift);
                        }
                    }
                }
            }
        }
        return builder.build();
    }

    /** The request with every data point's session.id set to {@code session}. */
    public static ExportMetricsServiceRequest withSession(ExportMetricsServiceRequest request, String session) {
        var builder = request.toBuilder();
        for (var rm : builder.getResourceMetricsBuilderList()) {
            for (var sm : rm.getScopeMetricsBuilderList()) {
                for (var m : sm.getMetricsBuilderList()) {
                    for (var p : m.getSumBuilder().getDataPointsBuilderList()) {
                        for (var kv : p.getAttributesBuilderList()) {
                            if (kv.getKey().equals("session.id")) {
                                kv.setValue(AnyValue.newBuilder().setStringValue(session));
                            }
                        }
                    }
                }
            }
        }
        return builder.build();
    }

    /**
     * A logs export of one {@code claude_code.api_request} event as Claude Code sends it: the given request-id, exact
     * tokens and cost, in the given session.
     */
    public static io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest apiRequest(String session,
            String requestId, Instant time, long input, long output, String costUsd) {
        var record = io.opentelemetry.proto.logs.v1.LogRecord.newBuilder()
                .setTimeUnixNano(nanos(time)).setObservedTimeUnixNano(nanos(time))
                .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
                .addAttributes(kv("event.name", "api_request"))
                .addAttributes(kv("session.id", session))
                .addAttributes(kv("event.sequence", requestId))
                .addAttributes(kv("request_id", requestId))
                .addAttributes(kv("model", "claude-opus-5-5"))
                .addAttributes(KeyValue.newBuilder().setKey("input_tokens").setValue(AnyValue.newBuilder().setIntValue(input)))
                .addAttributes(KeyValue.newBuilder().setKey("output_tokens").setValue(AnyValue.newBuilder().setIntValue(output)))
                .addAttributes(KeyValue.newBuilder().setKey("cost_usd")
                        .setValue(AnyValue.newBuilder().setDoubleValue(Double.parseDouble(costUsd))))
                .addAttributes(kv("query_source", "sdk"));
        return io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(io.opentelemetry.proto.logs.v1.ResourceLogs.newBuilder()
                        .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                                .addAttributes(kv("service.name", "claude-code"))
                                .addAttributes(kv("service.version", "2.1.331")))
                        .addScopeLogs(io.opentelemetry.proto.logs.v1.ScopeLogs.newBuilder().addLogRecords(record)))
                .build();
    }
}
