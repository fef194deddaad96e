package dev.tokenmetrics.receiver.usage;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric.DataCase;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks Claude Code's usage out of OTLP exports and checks what can be checked without history: a tracked metric
 * must be a monotonic sum with a temporality, and each point a finite, non-negative value with a time. Points that
 * fail are counted as rejected with a reason; the rest of the export still counts. Stateless and thread-safe.
 */
public final class UsageExtractor {

    static final String SESSION_ID = "session.id";
    static final String MODEL = "model";
    static final String TYPE = "type";
    static final String TERMINAL_TYPE = "terminal.type";
    static final String UNKNOWN_MODEL = "unknown";
    private static final int MAX_RESOURCE_ATTRIBUTES = 32;
    private static final int MAX_ATTRIBUTE_LENGTH = 256;
    private static final int MAX_REPORTED_ERRORS = 3;
    /** No session reaches a quadrillion tokens or dollars; a larger value is corruption, and would swamp the totals. */
    static final double MAX_PLAUSIBLE_VALUE = 1e15;

    public Extraction metrics(ExportMetricsServiceRequest request) {
        var points = new ArrayList<UsagePoint>();
        var resources = new LinkedHashMap<String, SessionResource>();
        var errors = new Errors();
        for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
            List<KeyValue> resource = resourceMetrics.getResource().getAttributesList();
            for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
                for (var metric : scopeMetrics.getMetricsList()) {
                    Metric tracked = Metric.forName(metric.getName());
                    if (tracked != null) {
                        extractSum(tracked, metric, resource, scopeMetrics.getScope(), points, resources, errors);
                    }
                }
            }
        }
        return new Extraction(new UsageBatch(points, List.of(), List.copyOf(resources.values())),
                errors.count, errors.message());
    }

    private static void extractSum(Metric tracked, io.opentelemetry.proto.metrics.v1.Metric metric, List<KeyValue> resource,
                            InstrumentationScope scope, List<UsagePoint> points,
                            Map<String, SessionResource> resources, Errors errors) {
        if (metric.getDataCase() != DataCase.SUM) {
            errors.reject(dataPointCount(metric), tracked.otelName() + " must be a sum, got "
                    + metric.getDataCase().name().toLowerCase());
            return;
        }
        Sum sum = metric.getSum();
        Temporality temporality = temporality(sum.getAggregationTemporality());
        if (!sum.getIsMonotonic() || temporality == null) {
            errors.reject(sum.getDataPointsCount(), tracked.otelName()
                    + " must be a monotonic sum with DELTA or CUMULATIVE temporality");
            return;
        }
        for (NumberDataPoint point : sum.getDataPointsList()) {
            var labels = new PointLabels(point.getAttributesList());
            String problem = problem(tracked, temporality, point, labels);
            if (problem != null) {
                errors.reject(1, tracked.otelName() + ": " + problem);
                continue;
            }
            double value = point.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? point.getAsInt() : point.getAsDouble();
            points.add(new UsagePoint(Hashes.stream(resource, scope.getName(), scope.getVersion(), metric.getName(),
                    point.getAttributesList()), tracked, temporality, labels.sessionId, labels.model,
                    tracked == Metric.TOKEN_USAGE ? TokenType.forAttribute(labels.type) : null,
                    point.getStartTimeUnixNano(), point.getTimeUnixNano(), value));
            if (!labels.sessionId.isEmpty() && !resources.containsKey(labels.sessionId)) {
                resources.put(labels.sessionId, new SessionResource(labels.sessionId, describe(resource, labels.terminal)));
            }
        }
    }

    /** The point attributes usage depends on, read in one pass. */
    private static final class PointLabels {
        String sessionId = "";
        String model = UNKNOWN_MODEL;
        String type = "";
        String terminal;

        PointLabels(List<KeyValue> attributes) {
            for (int i = 0; i < attributes.size(); i++) {
                KeyValue kv = attributes.get(i);
                String value = scalar(kv.getValue());
                if (value == null || value.isEmpty()) {
                    continue;
                }
                switch (kv.getKey()) {
                    case SESSION_ID -> sessionId = value;
                    case MODEL -> model = value;
                    case TYPE -> type = value;
                    case TERMINAL_TYPE -> terminal = value;
                    default -> { }
                }
            }
        }
    }

    /** Why a point cannot count, or null when it can. */
    private static String problem(Metric tracked, Temporality temporality, NumberDataPoint point, PointLabels labels) {
        double value;
        switch (point.getValueCase()) {
            case AS_DOUBLE -> value = point.getAsDouble();
            case AS_INT -> value = point.getAsInt();
            default -> {
                return "data point has no value";
            }
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "value " + value + " is not finite";
        }
        if (value < 0) {
            return (temporality == Temporality.DELTA ? "negative delta " : "negative total ") + value
                    + " in a monotonic sum";
        }
        if (value > MAX_PLAUSIBLE_VALUE) {
            return "value " + value + " is implausibly large";
        }
        if (point.getTimeUnixNano() == 0) {
            return "data point has no timeUnixNano";
        }
        if (tracked == Metric.TOKEN_USAGE) {
            if (TokenType.forAttribute(labels.type) == null) {
                return "unknown token type '" + labels.type + "'";
            }
            if (value != Math.rint(value)) {
                return "token count " + value + " is not a whole number of tokens";
            }
        }
        return null;
    }

    private static Temporality temporality(AggregationTemporality temporality) {
        return switch (temporality) {
            case AGGREGATION_TEMPORALITY_DELTA -> Temporality.DELTA;
            case AGGREGATION_TEMPORALITY_CUMULATIVE -> Temporality.CUMULATIVE;
            default -> null;
        };
    }

    private static int dataPointCount(io.opentelemetry.proto.metrics.v1.Metric metric) {
        return switch (metric.getDataCase()) {
            case GAUGE -> metric.getGauge().getDataPointsCount();
            case HISTOGRAM -> metric.getHistogram().getDataPointsCount();
            case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsCount();
            case SUMMARY -> metric.getSummary().getDataPointsCount();
            default -> 0;
        };
    }

    public Extraction logs(ExportLogsServiceRequest request) {
        var apiRequests = new ArrayList<ApiRequest>();
        var resources = new LinkedHashMap<String, SessionResource>();
        for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
            for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
                for (LogRecord log : scopeLogs.getLogRecordsList()) {
                    if (!isApiRequest(log)) {
                        continue;
                    }
                    String sessionId = attribute(log.getAttributesList(), SESSION_ID, "");
                    if (sessionId.isEmpty()) {
                        continue; // nothing to attribute it to
                    }
                    long time = log.getTimeUnixNano() != 0 ? log.getTimeUnixNano() : log.getObservedTimeUnixNano();
                    apiRequests.add(new ApiRequest(sessionId, attribute(log.getAttributesList(), MODEL, UNKNOWN_MODEL),
                            time, eventKey(log)));
                    resources.computeIfAbsent(sessionId, id -> new SessionResource(id,
                            describe(resourceLogs.getResource().getAttributesList(),
                                    attribute(log.getAttributesList(), TERMINAL_TYPE, null))));
                }
            }
        }
        return new Extraction(new UsageBatch(List.of(), apiRequests, List.copyOf(resources.values())), 0, "");
    }

    private static boolean isApiRequest(LogRecord log) {
        return "api_request".equals(attribute(log.getAttributesList(), "event.name", ""))
                || "claude_code.api_request".equals(log.getBody().getStringValue());
    }

    private static long eventKey(LogRecord log) {
        return Hashes.event(attribute(log.getAttributesList(), SESSION_ID, ""),
                attribute(log.getAttributesList(), "event.sequence", ""), log.getTimeUnixNano(),
                log.getObservedTimeUnixNano());
    }

    /** Resource attributes plus the terminal, which Claude Code puts on each point rather than on the resource. */
    private static Map<String, String> describe(List<KeyValue> resource, String terminal) {
        var attributes = new LinkedHashMap<String, String>();
        for (KeyValue kv : resource) {
            if (attributes.size() < MAX_RESOURCE_ATTRIBUTES && kv.getKey().length() <= MAX_ATTRIBUTE_LENGTH) {
                String value = scalar(kv.getValue());
                if (value != null) {
                    attributes.put(kv.getKey(), value);
                }
            }
        }
        if (terminal != null) {
            attributes.put(TERMINAL_TYPE, terminal);
        }
        return attributes;
    }

    static String attribute(List<KeyValue> attributes, String key, String fallback) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                String value = scalar(kv.getValue());
                return value != null && !value.isEmpty() ? value : fallback;
            }
        }
        return fallback;
    }

    private static String scalar(AnyValue value) {
        String text = switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> null;
        };
        return text == null || text.length() <= MAX_ATTRIBUTE_LENGTH ? text : text.substring(0, MAX_ATTRIBUTE_LENGTH);
    }

    /** Rejected points and the first few distinct reasons, for the response's partial_success. */
    private static final class Errors {
        long count;
        final Set<String> reasons = new LinkedHashSet<>();

        void reject(long points, String reason) {
            count += points;
            if (reasons.size() < MAX_REPORTED_ERRORS) {
                reasons.add(reason);
            }
        }

        String message() {
            return String.join("; ", reasons);
        }
    }
}
