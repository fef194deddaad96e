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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks Claude Code's usage out of OTLP exports and checks what can be checked without history: a tracked metric
 * must be a monotonic sum with a temporality, and each point a finite, non-negative value with a time. Points that
 * fail are counted as rejected with a reason; the rest of the export still counts. Holds a digest, so it is not
 * thread-safe: make one per export (that is cheap).
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

    private final MessageDigest sha256;

    public UsageExtractor() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

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

    private void extractSum(Metric tracked, io.opentelemetry.proto.metrics.v1.Metric metric, List<KeyValue> resource,
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
            String problem = problem(tracked, temporality, point);
            if (problem != null) {
                errors.reject(1, tracked.otelName() + ": " + problem);
                continue;
            }
            String sessionId = attribute(point.getAttributesList(), SESSION_ID, "");
            String model = attribute(point.getAttributesList(), MODEL, UNKNOWN_MODEL);
            TokenType type = tracked == Metric.TOKEN_USAGE
                    ? TokenType.forAttribute(attribute(point.getAttributesList(), TYPE, "")) : null;
            double value = point.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? point.getAsInt() : point.getAsDouble();
            points.add(new UsagePoint(streamId(resource, scope, metric.getName(), point.getAttributesList()),
                    tracked, temporality, sessionId, model, type, point.getStartTimeUnixNano(), point.getTimeUnixNano(),
                    value));
            if (!sessionId.isEmpty() && !resources.containsKey(sessionId)) {
                resources.put(sessionId, new SessionResource(sessionId, describe(resource, point.getAttributesList())));
            }
        }
    }

    /** Why a point cannot count, or null when it can. */
    private static String problem(Metric tracked, Temporality temporality, NumberDataPoint point) {
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
            if (TokenType.forAttribute(attribute(point.getAttributesList(), TYPE, "")) == null) {
                return "unknown token type '" + attribute(point.getAttributesList(), TYPE, "") + "'";
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
                            describe(resourceLogs.getResource().getAttributesList(), log.getAttributesList())));
                }
            }
        }
        return new Extraction(new UsageBatch(List.of(), apiRequests, List.copyOf(resources.values())), 0, "");
    }

    private static boolean isApiRequest(LogRecord log) {
        return "api_request".equals(attribute(log.getAttributesList(), "event.name", ""))
                || "claude_code.api_request".equals(log.getBody().getStringValue());
    }

    /** The same event re-sent by a retried export hashes the same; a new event differs in sequence or time. */
    private long eventKey(LogRecord log) {
        sha256.reset();
        update(sha256, attribute(log.getAttributesList(), SESSION_ID, ""));
        update(sha256, attribute(log.getAttributesList(), "event.sequence", ""));
        update(sha256, Long.toString(log.getTimeUnixNano()));
        update(sha256, Long.toString(log.getObservedTimeUnixNano()));
        return ByteBuffer.wrap(sha256.digest()).getLong();
    }

    /** Resource attributes plus the terminal, which Claude Code puts on each point rather than on the resource. */
    private static Map<String, String> describe(List<KeyValue> resource, List<KeyValue> pointAttributes) {
        var attributes = new LinkedHashMap<String, String>();
        for (KeyValue kv : resource) {
            if (attributes.size() < MAX_RESOURCE_ATTRIBUTES && kv.getKey().length() <= MAX_ATTRIBUTE_LENGTH) {
                String value = scalar(kv.getValue());
                if (value != null) {
                    attributes.put(kv.getKey(), value);
                }
            }
        }
        String terminal = attribute(pointAttributes, TERMINAL_TYPE, null);
        if (terminal != null) {
            attributes.put(TERMINAL_TYPE, terminal);
        }
        return attributes;
    }

    private StreamId streamId(List<KeyValue> resource, InstrumentationScope scope, String metricName,
                              List<KeyValue> pointAttributes) {
        sha256.reset();
        updateAttributes(resource);
        update(sha256, scope.getName());
        update(sha256, scope.getVersion());
        update(sha256, metricName);
        updateAttributes(pointAttributes);
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
        return new StreamId(digest.getLong(), digest.getLong());
    }

    /** Attribute order carries no meaning in OTLP, so the digest sorts by key first. */
    private void updateAttributes(List<KeyValue> attributes) {
        List<KeyValue> sorted = new ArrayList<>(attributes);
        sorted.sort(Comparator.comparing(KeyValue::getKey));
        sha256.update(ByteBuffer.allocate(4).putInt(sorted.size()).array());
        for (KeyValue kv : sorted) {
            byte[] bytes = kv.toByteArray();
            sha256.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            sha256.update(bytes);
        }
    }

    private static void update(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
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
