package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.usage.OtlpTags.*;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks Claude Code's usage out of OTLP exports, reading the protobuf wire format directly (see {@link WireReader}),
 * and checks what can be checked without history: a tracked metric must be a monotonic sum with a temporality, and
 * each point a finite, non-negative value with a time. Points that fail are counted as rejected with a reason; the
 * rest of the export still counts. Only the messages that lead to usage are read; others are skipped whole.
 * Each batch is stamped with the time it was received, from the extractor's clock. Stateless and thread-safe.
 */
public final class UsageExtractor {

    static final String SESSION_ID = "session.id";
    static final String MODEL = "model";
    static final String TERMINAL_TYPE = "terminal.type";
    static final String UNKNOWN_MODEL = "unknown";
    private static final int MAX_RESOURCE_ATTRIBUTES = 32;
    private static final int MAX_ATTRIBUTE_LENGTH = 256;
    private static final int MAX_REPORTED_ERRORS = 3;
    /**
     * No API request uses a trillion tokens or costs a trillion dollars; a larger value is corruption, and would swamp
     * the totals. Low enough that the points of one export cannot reach a long's overflow (9.2e18) by themselves;
     * totals saturate besides (see TokenCounts).
     */
    static final double MAX_PLAUSIBLE_VALUE = 1e12;

    private static final byte[] SESSION_ID_KEY = utf8(SESSION_ID);
    private static final byte[] MODEL_KEY = utf8(MODEL);
    private static final byte[] TYPE_KEY = utf8("type");
    private static final byte[] TERMINAL_TYPE_KEY = utf8(TERMINAL_TYPE);
    private static final byte[] API_REQUEST_BODY = utf8("claude_code.api_request");
    private static final byte[] EVENT_NAME_KEY = utf8("event.name");
    private static final byte[] EVENT_SEQUENCE_KEY = utf8("event.sequence");

    private final Clock clock;

    /** Stamps batches with the system clock's time. */
    public UsageExtractor() {
        this(Clock.systemUTC());
    }

    public UsageExtractor(Clock clock) {
        this.clock = clock;
    }

    /** Reads an ExportMetricsServiceRequest. */
    public Extraction metrics(byte[] wire) throws MalformedRequestException {
        long receivedNanos = receivedNanos();
        var points = new ArrayList<UsagePoint>();
        var resources = new LinkedHashMap<String, SessionResource>();
        var errors = new Errors();
        WireReader request = WireReader.of(wire);
        while (request.next()) {
            if (request.tag() == RESOURCE_METRICS) {
                resourceMetrics(request.field(), points, resources, errors);
            } else {
                request.skip();
            }
        }
        return new Extraction(new UsageBatch(points, List.of(), List.copyOf(resources.values()), receivedNanos),
                errors.count, errors.message());
    }

    private static void resourceMetrics(WireReader resourceMetrics, List<UsagePoint> points,
                                        Map<String, SessionResource> resources, Errors errors)
            throws MalformedRequestException {
        var resource = new ArrayList<Attribute>();
        List<WireReader> scopeMetrics = readResourceEntry(resourceMetrics, RESOURCE_METRICS_RESOURCE, SCOPE_METRICS,
                resource);
        StreamId resourceStream = Hashes.resource(resource);
        for (WireReader scope : scopeMetrics) {
            scopeMetrics(scope, resource, resourceStream, points, resources, errors);
        }
    }

    private static void scopeMetrics(WireReader scopeMetrics, List<Attribute> resource, StreamId resourceStream,
                                     List<UsagePoint> points, Map<String, SessionResource> resources, Errors errors)
            throws MalformedRequestException {
        WireReader scopeName = WireReader.empty();
        WireReader scopeVersion = WireReader.empty();
        var metrics = new ArrayList<WireReader>();
        while (scopeMetrics.next()) {
            int tag = scopeMetrics.tag();
            if (tag == SCOPE_METRICS_SCOPE) {
                WireReader scope = scopeMetrics.field();
                while (scope.next()) {
                    if (scope.tag() == SCOPE_NAME) {
                        scopeName = scope.field();
                    } else if (scope.tag() == SCOPE_VERSION) {
                        scopeVersion = scope.field();
                    } else {
                        scope.skip();
                    }
                }
            } else if (tag == METRICS) {
                metrics.add(scopeMetrics.field());
            } else {
                scopeMetrics.skip();
            }
        }
        StreamId scopeStream = Hashes.scope(resourceStream, scopeName, scopeVersion);
        for (WireReader metric : metrics) {
            metric(metric, resource, scopeStream, points, resources, errors);
        }
    }

    private static void metric(WireReader metric, List<Attribute> resource, StreamId scopeStream,
                               List<UsagePoint> points, Map<String, SessionResource> resources, Errors errors)
            throws MalformedRequestException {
        WireReader name = WireReader.empty();
        int dataTag = 0;
        WireReader data = null;
        while (metric.next()) {
            int tag = metric.tag();
            if (tag == METRIC_NAME) {
                name = metric.field();
            } else if (tag == METRIC_SUM || tag == METRIC_GAUGE || tag == METRIC_HISTOGRAM
                    || tag == METRIC_EXPONENTIAL_HISTOGRAM || tag == METRIC_SUMMARY) {
                dataTag = tag; // a oneof: the last one set wins (no client repeats one)
                data = metric.field();
            } else {
                metric.skip();
            }
        }
        Metric tracked = Metric.forName(name);
        if (tracked == null) {
            return;
        }
        if (dataTag != METRIC_SUM) {
            errors.reject(data == null ? 0 : count(data, SUM_DATA_POINTS), tracked.otelName() + " must be a sum, got "
                    + dataKind(dataTag));
            return;
        }
        var dataPoints = new ArrayList<WireReader>();
        long temporalityValue = 0;
        boolean monotonic = false;
        while (data.next()) {
            int tag = data.tag();
            if (tag == SUM_DATA_POINTS) {
                dataPoints.add(data.field());
            } else if (tag == SUM_TEMPORALITY) {
                temporalityValue = data.varint();
            } else if (tag == SUM_IS_MONOTONIC) {
                monotonic = data.varint() != 0;
            } else {
                data.skip();
            }
        }
        Temporality temporality = temporalityValue == TEMPORALITY_DELTA ? Temporality.DELTA
                : temporalityValue == TEMPORALITY_CUMULATIVE ? Temporality.CUMULATIVE : null;
        if (!monotonic || temporality == null) {
            errors.reject(dataPoints.size(), tracked.otelName()
                    + " must be a monotonic sum with DELTA or CUMULATIVE temporality");
            return;
        }
        StreamId metricStream = Hashes.metric(scopeStream, name);
        for (WireReader dataPoint : dataPoints) {
            var point = new Point(dataPoint);
            var labels = new PointLabels(point.attributes);
            String problem = problem(tracked, temporality, point, labels);
            if (problem != null) {
                errors.reject(1, tracked.otelName() + ": " + problem);
                continue;
            }
            points.add(new UsagePoint(Hashes.point(metricStream, point.attributes), tracked, temporality,
                    labels.sessionId, labels.model,
                    tracked == Metric.TOKEN_USAGE ? TokenType.forAttribute(labels.type) : null,
                    point.startNanos, point.timeNanos, point.value));
            if (!labels.sessionId.isEmpty() && !resources.containsKey(labels.sessionId)) {
                resources.put(labels.sessionId, new SessionResource(labels.sessionId, describe(resource, labels.terminal)));
            }
        }
    }

    /** A NumberDataPoint's fields that usage needs. */
    private static final class Point {
        final List<Attribute> attributes = new ArrayList<>();
        long startNanos;
        long timeNanos;
        boolean hasValue;
        double value;

        Point(WireReader point) throws MalformedRequestException {
            while (point.next()) {
                int tag = point.tag();
                if (tag == POINT_ATTRIBUTES) {
                    attributes.add(Attribute.read(point.field()));
                } else if (tag == POINT_START_TIME) {
                    startNanos = point.fixed64();
                } else if (tag == POINT_TIME) {
                    timeNanos = point.fixed64();
                } else if (tag == POINT_AS_DOUBLE) {
                    hasValue = true;
                    value = Double.longBitsToDouble(point.fixed64());
                } else if (tag == POINT_AS_INT) {
                    hasValue = true;
                    value = point.fixed64();
                } else {
                    point.skip();
                }
            }
        }
    }

    /** The point attributes usage depends on, read in one pass. */
    private static final class PointLabels {
        String sessionId = "";
        String model = UNKNOWN_MODEL;
        String type = "";
        String terminal;

        PointLabels(List<Attribute> attributes) throws MalformedRequestException {
            for (int i = 0; i < attributes.size(); i++) {
                Attribute attribute = attributes.get(i);
                WireReader key = attribute.key();
                boolean session = key.contentEquals(SESSION_ID_KEY);
                boolean model = !session && key.contentEquals(MODEL_KEY);
                boolean type = !session && !model && key.contentEquals(TYPE_KEY);
                boolean terminal = !session && !model && !type && key.contentEquals(TERMINAL_TYPE_KEY);
                if (!(session || model || type || terminal)) {
                    continue;
                }
                String value = scalar(attribute);
                if (value == null || value.isEmpty()) {
                    continue;
                }
                if (session) {
                    sessionId = value;
                } else if (model) {
                    this.model = value;
                } else if (type) {
                    this.type = value;
                } else {
                    this.terminal = value;
                }
            }
        }
    }

    /** Why a point cannot count, or null when it can. */
    private static String problem(Metric tracked, Temporality temporality, Point point, PointLabels labels) {
        if (!point.hasValue) {
            return "data point has no value";
        }
        double value = point.value;
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
        if (point.timeNanos == 0) {
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

    private static String dataKind(int dataTag) {
        return dataTag == METRIC_GAUGE ? "gauge"
                : dataTag == METRIC_HISTOGRAM ? "histogram"
                : dataTag == METRIC_EXPONENTIAL_HISTOGRAM ? "exponential_histogram"
                : dataTag == METRIC_SUMMARY ? "summary"
                : "no data";
    }

    private static int count(WireReader message, int tag) throws MalformedRequestException {
        int count = 0;
        while (message.next()) {
            if (message.tag() == tag) {
                count++;
            }
            message.skip();
        }
        return count;
    }

    /** Reads an ExportLogsServiceRequest: the {@code claude_code.api_request} events, one per API call. */
    public Extraction logs(byte[] wire) throws MalformedRequestException {
        long receivedNanos = receivedNanos();
        var apiRequests = new ArrayList<ApiRequest>();
        var resources = new LinkedHashMap<String, SessionResource>();
        WireReader request = WireReader.of(wire);
        while (request.next()) {
            if (request.tag() != RESOURCE_LOGS) {
                request.skip();
                continue;
            }
            var resource = new ArrayList<Attribute>();
            for (WireReader scope : readResourceEntry(request.field(), RESOURCE_LOGS_RESOURCE, SCOPE_LOGS, resource)) {
                while (scope.next()) {
                    if (scope.tag() == LOG_RECORDS) {
                        logRecord(scope.field(), resource, apiRequests, resources);
                    } else {
                        scope.skip();
                    }
                }
            }
        }
        return new Extraction(new UsageBatch(List.of(), apiRequests, List.copyOf(resources.values()), receivedNanos), 0,
                "");
    }

    private static void logRecord(WireReader log, List<Attribute> resource, List<ApiRequest> apiRequests,
                                  Map<String, SessionResource> resources) throws MalformedRequestException {
        var attributes = new ArrayList<Attribute>();
        long timeNanos = 0;
        long observedNanos = 0;
        WireReader body = null;
        while (log.next()) {
            int tag = log.tag();
            if (tag == LOG_TIME) {
                timeNanos = log.fixed64();
            } else if (tag == LOG_OBSERVED_TIME) {
                observedNanos = log.fixed64();
            } else if (tag == LOG_BODY) {
                body = log.field();
            } else if (tag == LOG_ATTRIBUTES) {
                attributes.add(Attribute.read(log.field()));
            } else {
                log.skip();
            }
        }
        boolean apiRequest = "api_request".equals(attribute(attributes, EVENT_NAME_KEY, ""))
                || (body != null && isApiRequestBody(Attribute.value(body)));
        if (!apiRequest) {
            return;
        }
        String sessionId = attribute(attributes, SESSION_ID_KEY, "");
        if (sessionId.isEmpty()) {
            return; // nothing to attribute it to
        }
        long eventKey = Hashes.event(sessionId, attribute(attributes, EVENT_SEQUENCE_KEY, ""), timeNanos, observedNanos);
        apiRequests.add(new ApiRequest(sessionId, attribute(attributes, MODEL_KEY, UNKNOWN_MODEL),
                timeNanos != 0 ? timeNanos : observedNanos, eventKey));
        if (!resources.containsKey(sessionId)) {
            resources.put(sessionId, new SessionResource(sessionId,
                    describe(resource, attribute(attributes, TERMINAL_TYPE_KEY, null))));
        }
    }

    private long receivedNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static boolean isApiRequestBody(Attribute body) {
        return body.valueCase() == Attribute.STRING && body.bytes().contentEquals(API_REQUEST_BODY);
    }

    /**
     * Reads a ResourceMetrics or ResourceLogs (the same shape): appends the resource's attributes and returns its
     * scope entries, read only afterwards since the resource may come after them on the wire.
     */
    private static List<WireReader> readResourceEntry(WireReader entry, int resourceTag, int scopesTag,
                                                      List<Attribute> resource) throws MalformedRequestException {
        var scopes = new ArrayList<WireReader>();
        while (entry.next()) {
            int tag = entry.tag();
            if (tag == resourceTag) {
                readResource(entry.field(), resource);
            } else if (tag == scopesTag) {
                scopes.add(entry.field());
            } else {
                entry.skip();
            }
        }
        return scopes;
    }

    /** Appends a Resource's attributes (a resource field seen twice merges, as protobuf's rule has it). */
    private static void readResource(WireReader resource, List<Attribute> attributes) throws MalformedRequestException {
        while (resource.next()) {
            if (resource.tag() == RESOURCE_ATTRIBUTES) {
                attributes.add(Attribute.read(resource.field()));
            } else {
                resource.skip();
            }
        }
    }

    /** Resource attributes plus the terminal, which Claude Code puts on each point rather than on the resource. */
    private static Map<String, String> describe(List<Attribute> resource, String terminal)
            throws MalformedRequestException {
        var attributes = new LinkedHashMap<String, String>();
        for (Attribute attribute : resource) {
            if (attributes.size() < MAX_RESOURCE_ATTRIBUTES) {
                String key = attribute.key().text();
                String value = scalar(attribute);
                if (key.length() <= MAX_ATTRIBUTE_LENGTH && value != null) {
                    attributes.put(key, value);
                }
            }
        }
        if (terminal != null) {
            attributes.put(TERMINAL_TYPE, terminal);
        }
        return attributes;
    }

    /** The first attribute with this key, as text; the fallback when there is none or it is empty. */
    private static String attribute(List<Attribute> attributes, byte[] key, String fallback)
            throws MalformedRequestException {
        for (Attribute attribute : attributes) {
            if (attribute.key().contentEquals(key)) {
                String value = scalar(attribute);
                return value != null && !value.isEmpty() ? value : fallback;
            }
        }
        return fallback;
    }

    private static String scalar(Attribute attribute) throws MalformedRequestException {
        String text = attribute.scalar();
        return text == null || text.length() <= MAX_ATTRIBUTE_LENGTH ? text : text.substring(0, MAX_ATTRIBUTE_LENGTH);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
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
