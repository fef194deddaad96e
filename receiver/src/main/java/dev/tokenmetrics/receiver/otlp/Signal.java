package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * The three OTLP signals: where each is posted, its request type and what its response counts as rejected.
 * The generated request classes are reached only through a method, so that only a client exporting traces loads
 * protobuf's descriptor machinery.
 */
public enum Signal {
    METRICS("/v1/metrics", "rejectedDataPoints"),
    LOGS("/v1/logs", "rejectedLogRecords"),
    TRACES("/v1/traces", "rejectedSpans");

    private final String path;
    private final String rejectedJsonName;

    Signal(String path, String rejectedJsonName) {
        this.path = path;
        this.rejectedJsonName = rejectedJsonName;
    }

    public String path() {
        return path;
    }

    /** The JSON name of the partial_success field counting rejected items (field 1 in every signal's message). */
    String rejectedJsonName() {
        return rejectedJsonName;
    }

    public Message requestPrototype() {
        return switch (this) {
            case METRICS -> ExportMetricsServiceRequest.getDefaultInstance();
            case LOGS -> ExportLogsServiceRequest.getDefaultInstance();
            case TRACES -> ExportTraceServiceRequest.getDefaultInstance();
        };
    }

    public static Signal forPath(String path) {
        for (Signal signal : values()) {
            if (signal.path.equals(path)) {
                return signal;
            }
        }
        return null;
    }
}
