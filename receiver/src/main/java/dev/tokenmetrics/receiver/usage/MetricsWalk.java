package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.usage.OtlpTags.EXPONENTIAL_HISTOGRAM_DATA_POINTS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.GAUGE_DATA_POINTS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.HISTOGRAM_DATA_POINTS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.METRICS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.METRIC_EXPONENTIAL_HISTOGRAM;
import static dev.tokenmetrics.receiver.usage.OtlpTags.METRIC_GAUGE;
import static dev.tokenmetrics.receiver.usage.OtlpTags.METRIC_HISTOGRAM;
import static dev.tokenmetrics.receiver.usage.OtlpTags.METRIC_NAME;
import static dev.tokenmetrics.receiver.usage.OtlpTags.METRIC_SUM;
import static dev.tokenmetrics.receiver.usage.OtlpTags.METRIC_SUMMARY;
import static dev.tokenmetrics.receiver.usage.OtlpTags.RESOURCE_METRICS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.RESOURCE_METRICS_RESOURCE;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SCOPE_METRICS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SCOPE_METRICS_SCOPE;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SCOPE_NAME;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SCOPE_VERSION;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SUMMARY_DATA_POINTS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SUM_DATA_POINTS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SUM_IS_MONOTONIC;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SUM_TEMPORALITY;
import static dev.tokenmetrics.receiver.usage.OtlpTags.TEMPORALITY_CUMULATIVE;
import static dev.tokenmetrics.receiver.usage.OtlpTags.TEMPORALITY_DELTA;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks an ExportMetricsServiceRequest down to the data points of Claude Code's tracked metrics, skipping every other
 * message whole. A tracked metric must be a monotonic sum with a temporality; each point must pass
 * {@link PointRules}. Made for one export: what it finds goes to the export's {@link ExportCollector}.
 */
final class MetricsWalk {

    private final ExportCollector out;
    private final DataPoint point = new DataPoint();

    MetricsWalk(ExportCollector out) {
        this.out = out;
    }

    void request(WireReader request) throws MalformedRequestException {
        while (request.next()) {
            if (request.tag() == RESOURCE_METRICS) {
                resourceMetrics(request.field());
            } else {
                request.skip();
            }
        }
    }

    private void resourceMetrics(WireReader resourceMetrics) throws MalformedRequestException {
        ResourceEntry entry = ResourceEntry.read(resourceMetrics, RESOURCE_METRICS_RESOURCE, SCOPE_METRICS);
        StreamId resourceStream = Hashes.resource(entry.attributes());
        for (WireReader scope : entry.scopes()) {
            scopeMetrics(scope, entry.attributes(), resourceStream);
        }
    }

    private void scopeMetrics(WireReader scopeMetrics, List<Attribute> resource, StreamId resourceStream)
            throws MalformedRequestException {
        WireReader scopeName = WireReader.empty();
        WireReader scopeVersion = WireReader.empty();
        var metrics = new ArrayList<WireReader>();
        while (scopeMetrics.next()) {
            int tag = scopeMetrics.tag();
            if (tag == METRICS) {
                metrics.add(scopeMetrics.field());
            } else if (tag == SCOPE_METRICS_SCOPE) {
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
            } else {
                scopeMetrics.skip();
            }
        }
        StreamId scopeStream = Hashes.scope(resourceStream, scopeName, scopeVersion);
        for (WireReader metric : metrics) {
            metric(metric, resource, scopeStream);
        }
    }

    private void metric(WireReader metric, List<Attribute> resource, StreamId scopeStream)
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
            out.reject(data == null ? 0 : count(data, dataPointsTag(dataTag)), tracked.otelName()
                    + " must be a sum, got " + dataKind(dataTag));
            return;
        }
        sum(data, tracked, resource, Hashes.metric(scopeStream, name));
    }

    private void sum(WireReader sum, Metric tracked, List<Attribute> resource, StreamId metricStream)
            throws MalformedRequestException {
        var dataPoints = new ArrayList<WireReader>();
        long temporalityValue = 0;
        boolean monotonic = false;
        while (sum.next()) {
            int tag = sum.tag();
            if (tag == SUM_DATA_POINTS) {
                dataPoints.add(sum.field());
            } else if (tag == SUM_TEMPORALITY) {
                temporalityValue = sum.varint();
            } else if (tag == SUM_IS_MONOTONIC) {
                monotonic = sum.varint() != 0;
            } else {
                sum.skip();
            }
        }
        Temporality temporality = temporalityValue == TEMPORALITY_DELTA ? Temporality.DELTA
                : temporalityValue == TEMPORALITY_CUMULATIVE ? Temporality.CUMULATIVE : null;
        if (!monotonic || temporality == null) {
            out.reject(dataPoints.size(), tracked.otelName()
                    + " must be a monotonic sum with DELTA or CUMULATIVE temporality");
            return;
        }
        for (WireReader dataPoint : dataPoints) {
            point.read(dataPoint);
            String problem = PointRules.problem(tracked, temporality, point);
            if (problem != null) {
                out.reject(1, tracked.otelName() + ": " + problem);
                continue;
            }
            Attributes.Labels labels = point.labels();
            out.point(new UsagePoint(Hashes.point(metricStream, point.attributes()), tracked, temporality,
                    labels.sessionId(), labels.model(),
                    tracked == Metric.TOKEN_USAGE ? TokenType.forAttribute(labels.type()) : null,
                    point.startNanos(), point.timeNanos(), point.value()));
            out.session(labels.sessionId(), resource, labels.terminal());
        }
    }

    private static String dataKind(int dataTag) {
        return dataTag == METRIC_GAUGE ? "gauge"
                : dataTag == METRIC_HISTOGRAM ? "histogram"
                : dataTag == METRIC_EXPONENTIAL_HISTOGRAM ? "exponential_histogram"
                : dataTag == METRIC_SUMMARY ? "summary"
                : "no data";
    }

    /** The tag of the data points in a metric's data of this kind. */
    private static int dataPointsTag(int dataTag) {
        return dataTag == METRIC_GAUGE ? GAUGE_DATA_POINTS
                : dataTag == METRIC_HISTOGRAM ? HISTOGRAM_DATA_POINTS
                : dataTag == METRIC_EXPONENTIAL_HISTOGRAM ? EXPONENTIAL_HISTOGRAM_DATA_POINTS
                : SUMMARY_DATA_POINTS;
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
}
