package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.OtlpSchema;

/**
 * The tags of the OTLP fields usage reads, asked of {@link OtlpSchema} (which a test holds equal to
 * opentelemetry-proto's descriptors) once, when this class is initialised: no second copy of field numbers or wire
 * types, and no lookup per point. A misspelt name fails the class's initialisation, hence every extractor test.
 * They are not compile-time constants, so readers compare them in if-chains rather than switch on them.
 */
final class OtlpTags {

    static final int RESOURCE_METRICS = OtlpSchema.tag("ExportMetricsServiceRequest", "resource_metrics");
    static final int RESOURCE_METRICS_RESOURCE = OtlpSchema.tag("ResourceMetrics", "resource");
    static final int SCOPE_METRICS = OtlpSchema.tag("ResourceMetrics", "scope_metrics");
    static final int SCOPE_METRICS_SCOPE = OtlpSchema.tag("ScopeMetrics", "scope");
    static final int METRICS = OtlpSchema.tag("ScopeMetrics", "metrics");

    static final int RESOURCE_LOGS = OtlpSchema.tag("ExportLogsServiceRequest", "resource_logs");
    static final int RESOURCE_LOGS_RESOURCE = OtlpSchema.tag("ResourceLogs", "resource");
    static final int SCOPE_LOGS = OtlpSchema.tag("ResourceLogs", "scope_logs");
    static final int LOG_RECORDS = OtlpSchema.tag("ScopeLogs", "log_records");

    static final int RESOURCE_ATTRIBUTES = OtlpSchema.tag("Resource", "attributes");
    static final int SCOPE_NAME = OtlpSchema.tag("InstrumentationScope", "name");
    static final int SCOPE_VERSION = OtlpSchema.tag("InstrumentationScope", "version");

    static final int METRIC_NAME = OtlpSchema.tag("Metric", "name");
    static final int METRIC_GAUGE = OtlpSchema.tag("Metric", "gauge");
    static final int METRIC_SUM = OtlpSchema.tag("Metric", "sum");
    static final int METRIC_HISTOGRAM = OtlpSchema.tag("Metric", "histogram");
    static final int METRIC_EXPONENTIAL_HISTOGRAM = OtlpSchema.tag("Metric", "exponential_histogram");
    static final int METRIC_SUMMARY = OtlpSchema.tag("Metric", "summary");
    static final int SUM_DATA_POINTS = OtlpSchema.tag("Sum", "data_points");
    static final int GAUGE_DATA_POINTS = OtlpSchema.tag("Gauge", "data_points");
    static final int HISTOGRAM_DATA_POINTS = OtlpSchema.tag("Histogram", "data_points");
    static final int EXPONENTIAL_HISTOGRAM_DATA_POINTS = OtlpSchema.tag("ExponentialHistogram", "data_points");
    static final int SUMMARY_DATA_POINTS = OtlpSchema.tag("Summary", "data_points");
    static final int SUM_TEMPORALITY = OtlpSchema.tag("Sum", "aggregation_temporality");
    static final int SUM_IS_MONOTONIC = OtlpSchema.tag("Sum", "is_monotonic");
    static final int TEMPORALITY_DELTA =
            OtlpSchema.enumValue("Sum", "aggregation_temporality", "AGGREGATION_TEMPORALITY_DELTA");
    static final int TEMPORALITY_CUMULATIVE =
            OtlpSchema.enumValue("Sum", "aggregation_temporality", "AGGREGATION_TEMPORALITY_CUMULATIVE");

    static final int POINT_ATTRIBUTES = OtlpSchema.tag("NumberDataPoint", "attributes");
    static final int POINT_START_TIME = OtlpSchema.tag("NumberDataPoint", "start_time_unix_nano");
    static final int POINT_TIME = OtlpSchema.tag("NumberDataPoint", "time_unix_nano");
    static final int POINT_AS_DOUBLE = OtlpSchema.tag("NumberDataPoint", "as_double");
    static final int POINT_AS_INT = OtlpSchema.tag("NumberDataPoint", "as_int");

    static final int LOG_TIME = OtlpSchema.tag("LogRecord", "time_unix_nano");
    static final int LOG_OBSERVED_TIME = OtlpSchema.tag("LogRecord", "observed_time_unix_nano");
    static final int LOG_BODY = OtlpSchema.tag("LogRecord", "body");
    static final int LOG_ATTRIBUTES = OtlpSchema.tag("LogRecord", "attributes");

    static final int KEY_VALUE_KEY = OtlpSchema.tag("KeyValue", "key");
    static final int KEY_VALUE_VALUE = OtlpSchema.tag("KeyValue", "value");
    static final int STRING_VALUE = OtlpSchema.tag("AnyValue", "string_value");
    static final int BOOL_VALUE = OtlpSchema.tag("AnyValue", "bool_value");
    static final int INT_VALUE = OtlpSchema.tag("AnyValue", "int_value");
    static final int DOUBLE_VALUE = OtlpSchema.tag("AnyValue", "double_value");
    static final int ARRAY_VALUE = OtlpSchema.tag("AnyValue", "array_value");
    static final int KVLIST_VALUE = OtlpSchema.tag("AnyValue", "kvlist_value");
    static final int BYTES_VALUE = OtlpSchema.tag("AnyValue", "bytes_value");

    private OtlpTags() {
    }
}
