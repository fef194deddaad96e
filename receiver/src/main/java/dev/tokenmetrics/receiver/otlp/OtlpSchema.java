package dev.tokenmetrics.receiver.otlp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OTLP's request messages: each field's number, type and JSON keys, for the JSON transcoder ({@link JsonSchema}
 * indexes them by their bytes), and each field's tag,
 * for the usage extractor ({@link #tag}): the one table of OTLP's fields in the receiver.
 * Written out rather than read from protobuf's descriptors, which would cost the daemon some 250 classes and their
 * objects (about 3 MB of metaspace) the first time a JSON client calls. {@code OtlpSchemaTest} holds this table equal
 * to the generated descriptors of the opentelemetry-proto release the build uses, so the two cannot drift apart.
 */
public final class OtlpSchema {

    /**
     * Protobuf's field types that OTLP uses, each with the wire type of one value; {@code HEX_ID} is bytes that OTLP
     * JSON writes as hex.
     */
    enum Type {
        MESSAGE(WireType.LENGTH_DELIMITED), ENUM(WireType.VARINT), STRING(WireType.LENGTH_DELIMITED),
        BYTES(WireType.LENGTH_DELIMITED), HEX_ID(WireType.LENGTH_DELIMITED), BOOL(WireType.VARINT),
        INT32(WireType.VARINT), SINT32(WireType.VARINT), UINT32(WireType.VARINT), FIXED32(WireType.FIXED32),
        INT64(WireType.VARINT), UINT64(WireType.VARINT), FIXED64(WireType.FIXED64), SFIXED64(WireType.FIXED64),
        DOUBLE(WireType.FIXED64);

        private final int wireType;

        Type(int wireType) {
            this.wireType = wireType;
        }

        int wireType() {
            return wireType;
        }
    }

    /**
     * One field. {@code messageType} names the message of a MESSAGE field; {@code enumValues} maps an ENUM field's
     * value names to numbers (OTLP JSON allows either).
     */
    record Field(int number, String name, Type type, boolean repeated, String messageType,
                 Map<String, Integer> enumValues) {

        String jsonName() {
            return OtlpSchema.jsonName(name);
        }

        /** The tag of one value of this field; a repeated scalar may also arrive packed, as one length-delimited. */
        int tag() {
            return WireType.tag(number, type.wireType());
        }
    }

    /** proto3's JSON name for a field name: its lowerCamelCase. */
    static String jsonName(String fieldName) {
        var json = new StringBuilder(fieldName.length());
        boolean upper = false;
        for (char c : fieldName.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                json.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return json.toString();
    }

    /** A message: its fields by either JSON key, the lowerCamelCase name or the original one, as proto3 allows. */
    record MessageType(String name, List<Field> fields, Map<String, Field> fieldsByKey) {

        Field field(String key) {
            return fieldsByKey.get(key);
        }
    }

    private static final Map<String, Integer> AGGREGATION_TEMPORALITY = Map.of(
            "AGGREGATION_TEMPORALITY_UNSPECIFIED", 0, "AGGREGATION_TEMPORALITY_DELTA", 1,
            "AGGREGATION_TEMPORALITY_CUMULATIVE", 2);
    private static final Map<String, Integer> SPAN_KIND = Map.of(
            "SPAN_KIND_UNSPECIFIED", 0, "SPAN_KIND_INTERNAL", 1, "SPAN_KIND_SERVER", 2, "SPAN_KIND_CLIENT", 3,
            "SPAN_KIND_PRODUCER", 4, "SPAN_KIND_CONSUMER", 5);
    private static final Map<String, Integer> STATUS_CODE = Map.of(
            "STATUS_CODE_UNSET", 0, "STATUS_CODE_OK", 1, "STATUS_CODE_ERROR", 2);
    private static final Map<String, Integer> SEVERITY_NUMBER = severityNumbers();

    private static final Map<String, MessageType> MESSAGES = index(
            type("ExportMetricsServiceRequest", repeated(1, "resource_metrics", "ResourceMetrics")),
            type("ExportLogsServiceRequest", repeated(1, "resource_logs", "ResourceLogs")),
            type("ExportTraceServiceRequest", repeated(1, "resource_spans", "ResourceSpans")),

            type("Resource",
                    repeated(1, "attributes", "KeyValue"),
                    field(2, "dropped_attributes_count", Type.UINT32),
                    repeated(3, "entity_refs", "EntityRef")),
            type("EntityRef",
                    field(1, "schema_url", Type.STRING),
                    field(2, "type", Type.STRING),
                    repeated(3, "id_keys", Type.STRING),
                    repeated(4, "description_keys", Type.STRING)),
            type("InstrumentationScope",
                    field(1, "name", Type.STRING),
                    field(2, "version", Type.STRING),
                    repeated(3, "attributes", "KeyValue"),
                    field(4, "dropped_attributes_count", Type.UINT32)),
            type("KeyValue",
                    field(1, "key", Type.STRING),
                    field(2, "value", "AnyValue"),
                    field(3, "key_strindex", Type.INT32)),
            type("AnyValue",
                    field(1, "string_value", Type.STRING),
                    field(2, "bool_value", Type.BOOL),
                    field(3, "int_value", Type.INT64),
                    field(4, "double_value", Type.DOUBLE),
                    field(5, "array_value", "ArrayValue"),
                    field(6, "kvlist_value", "KeyValueList"),
                    field(7, "bytes_value", Type.BYTES),
                    field(8, "string_value_strindex", Type.INT32)),
            type("ArrayValue", repeated(1, "values", "AnyValue")),
            type("KeyValueList", repeated(1, "values", "KeyValue")),

            type("ResourceMetrics",
                    field(1, "resource", "Resource"),
                    repeated(2, "scope_metrics", "ScopeMetrics"),
                    field(3, "schema_url", Type.STRING)),
            type("ScopeMetrics",
                    field(1, "scope", "InstrumentationScope"),
                    repeated(2, "metrics", "Metric"),
                    field(3, "schema_url", Type.STRING)),
            type("Metric",
                    field(1, "name", Type.STRING),
                    field(2, "description", Type.STRING),
                    field(3, "unit", Type.STRING),
                    field(5, "gauge", "Gauge"),
                    field(7, "sum", "Sum"),
                    field(9, "histogram", "Histogram"),
                    field(10, "exponential_histogram", "ExponentialHistogram"),
                    field(11, "summary", "Summary"),
                    repeated(12, "metadata", "KeyValue")),
            type("Gauge", repeated(1, "data_points", "NumberDataPoint")),
            type("Sum",
                    repeated(1, "data_points", "NumberDataPoint"),
                    field(2, "aggregation_temporality", AGGREGATION_TEMPORALITY),
                    field(3, "is_monotonic", Type.BOOL)),
            type("Histogram",
                    repeated(1, "data_points", "HistogramDataPoint"),
                    field(2, "aggregation_temporality", AGGREGATION_TEMPORALITY)),
            type("ExponentialHistogram",
                    repeated(1, "data_points", "ExponentialHistogramDataPoint"),
                    field(2, "aggregation_temporality", AGGREGATION_TEMPORALITY)),
            type("Summary", repeated(1, "data_points", "SummaryDataPoint")),
            type("NumberDataPoint",
                    field(2, "start_time_unix_nano", Type.FIXED64),
                    field(3, "time_unix_nano", Type.FIXED64),
                    field(4, "as_double", Type.DOUBLE),
                    repeated(5, "exemplars", "Exemplar"),
                    field(6, "as_int", Type.SFIXED64),
                    repeated(7, "attributes", "KeyValue"),
                    field(8, "flags", Type.UINT32)),
            type("HistogramDataPoint",
                    field(2, "start_time_unix_nano", Type.FIXED64),
                    field(3, "time_unix_nano", Type.FIXED64),
                    field(4, "count", Type.FIXED64),
                    field(5, "sum", Type.DOUBLE),
                    repeated(6, "bucket_counts", Type.FIXED64),
                    repeated(7, "explicit_bounds", Type.DOUBLE),
                    repeated(8, "exemplars", "Exemplar"),
                    repeated(9, "attributes", "KeyValue"),
                    field(10, "flags", Type.UINT32),
                    field(11, "min", Type.DOUBLE),
                    field(12, "max", Type.DOUBLE)),
            type("ExponentialHistogramDataPoint",
                    repeated(1, "attributes", "KeyValue"),
                    field(2, "start_time_unix_nano", Type.FIXED64),
                    field(3, "time_unix_nano", Type.FIXED64),
                    field(4, "count", Type.FIXED64),
                    field(5, "sum", Type.DOUBLE),
                    field(6, "scale", Type.SINT32),
                    field(7, "zero_count", Type.FIXED64),
                    field(8, "positive", "Buckets"),
                    field(9, "negative", "Buckets"),
                    field(10, "flags", Type.UINT32),
                    repeated(11, "exemplars", "Exemplar"),
                    field(12, "min", Type.DOUBLE),
                    field(13, "max", Type.DOUBLE),
                    field(14, "zero_threshold", Type.DOUBLE)),
            type("Buckets",
                    field(1, "offset", Type.SINT32),
                    repeated(2, "bucket_counts", Type.UINT64)),
            type("SummaryDataPoint",
                    field(2, "start_time_unix_nano", Type.FIXED64),
                    field(3, "time_unix_nano", Type.FIXED64),
                    field(4, "count", Type.FIXED64),
                    field(5, "sum", Type.DOUBLE),
                    repeated(6, "quantile_values", "ValueAtQuantile"),
                    repeated(7, "attributes", "KeyValue"),
                    field(8, "flags", Type.UINT32)),
            type("ValueAtQuantile",
                    field(1, "quantile", Type.DOUBLE),
                    field(2, "value", Type.DOUBLE)),
            type("Exemplar",
                    field(2, "time_unix_nano", Type.FIXED64),
                    field(3, "as_double", Type.DOUBLE),
                    field(4, "span_id", Type.HEX_ID),
                    field(5, "trace_id", Type.HEX_ID),
                    field(6, "as_int", Type.SFIXED64),
                    repeated(7, "filtered_attributes", "KeyValue")),

            type("ResourceLogs",
                    field(1, "resource", "Resource"),
                    repeated(2, "scope_logs", "ScopeLogs"),
                    field(3, "schema_url", Type.STRING)),
            type("ScopeLogs",
                    field(1, "scope", "InstrumentationScope"),
                    repeated(2, "log_records", "LogRecord"),
                    field(3, "schema_url", Type.STRING)),
            type("LogRecord",
                    field(1, "time_unix_nano", Type.FIXED64),
                    field(2, "severity_number", SEVERITY_NUMBER),
                    field(3, "severity_text", Type.STRING),
                    field(5, "body", "AnyValue"),
                    repeated(6, "attributes", "KeyValue"),
                    field(7, "dropped_attributes_count", Type.UINT32),
                    field(8, "flags", Type.FIXED32),
                    field(9, "trace_id", Type.HEX_ID),
                    field(10, "span_id", Type.HEX_ID),
                    field(11, "observed_time_unix_nano", Type.FIXED64),
                    field(12, "event_name", Type.STRING)),

            type("ResourceSpans",
                    field(1, "resource", "Resource"),
                    repeated(2, "scope_spans", "ScopeSpans"),
                    field(3, "schema_url", Type.STRING)),
            type("ScopeSpans",
                    field(1, "scope", "InstrumentationScope"),
                    repeated(2, "spans", "Span"),
                    field(3, "schema_url", Type.STRING)),
            type("Span",
                    field(1, "trace_id", Type.HEX_ID),
                    field(2, "span_id", Type.HEX_ID),
                    field(3, "trace_state", Type.STRING),
                    field(4, "parent_span_id", Type.HEX_ID),
                    field(5, "name", Type.STRING),
                    field(6, "kind", SPAN_KIND),
                    field(7, "start_time_unix_nano", Type.FIXED64),
                    field(8, "end_time_unix_nano", Type.FIXED64),
                    repeated(9, "attributes", "KeyValue"),
                    field(10, "dropped_attributes_count", Type.UINT32),
                    repeated(11, "events", "Event"),
                    field(12, "dropped_events_count", Type.UINT32),
                    repeated(13, "links", "Link"),
                    field(14, "dropped_links_count", Type.UINT32),
                    field(15, "status", "Status"),
                    field(16, "flags", Type.FIXED32)),
            type("Event",
                    field(1, "time_unix_nano", Type.FIXED64),
                    field(2, "name", Type.STRING),
                    repeated(3, "attributes", "KeyValue"),
                    field(4, "dropped_attributes_count", Type.UINT32)),
            type("Link",
                    field(1, "trace_id", Type.HEX_ID),
                    field(2, "span_id", Type.HEX_ID),
                    field(3, "trace_state", Type.STRING),
                    repeated(4, "attributes", "KeyValue"),
                    field(5, "dropped_attributes_count", Type.UINT32),
                    field(6, "flags", Type.FIXED32)),
            type("Status",
                    field(2, "message", Type.STRING),
                    field(3, "code", STATUS_CODE)));

    private OtlpSchema() {
    }

    /** The Export*ServiceRequest a signal posts. */
    static MessageType request(Signal signal) {
        return message(switch (signal) {
            case METRICS -> "ExportMetricsServiceRequest";
            case LOGS -> "ExportLogsServiceRequest";
            case TRACES -> "ExportTraceServiceRequest";
        });
    }

    /** A message by its simple name (unique across OTLP's requests). */
    static MessageType message(String name) {
        return MESSAGES.get(name);
    }

    static Iterable<MessageType> messages() {
        return MESSAGES.values();
    }

    /**
     * The tag of a field, by its message's simple name and its proto name, for readers of the wire format to resolve
     * once, into constants. Throws for a name the schema does not have: a typo fails at class initialisation.
     */
    public static int tag(String message, String field) {
        return fieldOf(message, field).tag();
    }

    /** The number of an enum field's value, by its proto name; throws for a name the schema does not have. */
    public static int enumValue(String message, String field, String valueName) {
        Map<String, Integer> values = fieldOf(message, field).enumValues();
        Integer number = values == null ? null : values.get(valueName);
        if (number == null) {
            throw new IllegalArgumentException(message + "." + field + " has no enum value " + valueName);
        }
        return number;
    }

    private static Field fieldOf(String message, String field) {
        MessageType type = message(message);
        Field found = type == null ? null : type.field(field);
        if (found == null || !found.name().equals(field)) {
            throw new IllegalArgumentException("OTLP has no field " + message + "." + field);
        }
        return found;
    }

    private static Field field(int number, String name, Type type) {
        return new Field(number, name, type, false, null, null);
    }

    private static Field field(int number, String name, String messageType) {
        return new Field(number, name, Type.MESSAGE, false, messageType, null);
    }

    private static Field field(int number, String name, Map<String, Integer> enumValues) {
        return new Field(number, name, Type.ENUM, false, null, enumValues);
    }

    private static Field repeated(int number, String name, Type type) {
        return new Field(number, name, type, true, null, null);
    }

    private static Field repeated(int number, String name, String messageType) {
        return new Field(number, name, Type.MESSAGE, true, messageType, null);
    }

    private static MessageType type(String name, Field... fields) {
        var byKey = new HashMap<String, Field>();
        for (Field field : fields) {
            byKey.put(field.name(), field);
            byKey.put(field.jsonName(), field);
        }
        return new MessageType(name, List.of(fields), Map.copyOf(byKey));
    }

    private static Map<String, MessageType> index(MessageType... types) {
        var byName = new HashMap<String, MessageType>();
        for (MessageType type : types) {
            byName.put(type.name(), type);
        }
        return Map.copyOf(byName);
    }

    /** SEVERITY_NUMBER_TRACE = 1 ... SEVERITY_NUMBER_FATAL4 = 24: six levels of four steps each. */
    private static Map<String, Integer> severityNumbers() {
        var numbers = new HashMap<String, Integer>();
        numbers.put("SEVERITY_NUMBER_UNSPECIFIED", 0);
        String[] levels = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
        for (int level = 0; level < levels.length; level++) {
            for (int step = 1; step <= 4; step++) {
                numbers.put("SEVERITY_NUMBER_" + levels[level] + (step == 1 ? "" : step), level * 4 + step);
            }
        }
        return Map.copyOf(numbers);
    }
}
