package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/** The three OTLP signals: where each is posted, its request message and how its response is built. */
public enum Signal {
    METRICS("/v1/metrics", ExportMetricsServiceRequest.getDefaultInstance()) {
        @Override
        public Message response(long rejected, String errorMessage) {
            var response = ExportMetricsServiceResponse.newBuilder();
            if (rejected > 0 || !errorMessage.isEmpty()) {
                response.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                        .setRejectedDataPoints(rejected).setErrorMessage(errorMessage));
            }
            return response.build();
        }
    },
    LOGS("/v1/logs", ExportLogsServiceRequest.getDefaultInstance()) {
        @Override
        public Message response(long rejected, String errorMessage) {
            var response = ExportLogsServiceResponse.newBuilder();
            if (rejected > 0 || !errorMessage.isEmpty()) {
                response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                        .setRejectedLogRecords(rejected).setErrorMessage(errorMessage));
            }
            return response.build();
        }
    },
    TRACES("/v1/traces", ExportTraceServiceRequest.getDefaultInstance()) {
        @Override
        public Message response(long rejected, String errorMessage) {
            var response = ExportTraceServiceResponse.newBuilder();
            if (rejected > 0 || !errorMessage.isEmpty()) {
                response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(rejected).setErrorMessage(errorMessage));
            }
            return response.build();
        }
    };

    private final String path;
    private final Message requestPrototype;

    Signal(String path, Message requestPrototype) {
        this.path = path;
        this.requestPrototype = requestPrototype;
    }

    public String path() {
        return path;
    }

    public Message requestPrototype() {
        return requestPrototype;
    }

    public Descriptor requestType() {
        return requestPrototype.getDescriptorForType();
    }

    /** The Export*ServiceResponse; partial_success stays unset when everything was accepted, as OTLP requires. */
    public abstract Message response(long rejected, String errorMessage);

    public static Signal forPath(String path) {
        for (Signal signal : values()) {
            if (signal.path.equals(path)) {
                return signal;
            }
        }
        return null;
    }
}
