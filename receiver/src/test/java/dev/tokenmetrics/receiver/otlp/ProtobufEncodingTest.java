package dev.tokenmetrics.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import org.junit.jupiter.api.Test;

class ProtobufEncodingTest {

    private final ProtobufEncoding protobuf = new ProtobufEncoding();

    @Test
    void writesResponsesThatTheGeneratedClassesRead() throws Exception {
        var metrics = ExportMetricsServiceResponse.parseFrom(protobuf.exportResponse(Signal.METRICS, 2, "bad é"));
        assertEquals(2, metrics.getPartialSuccess().getRejectedDataPoints());
        assertEquals("bad é", metrics.getPartialSuccess().getErrorMessage());

        var logs = ExportLogsServiceResponse.parseFrom(protobuf.exportResponse(Signal.LOGS, 7, ""));
        assertEquals(7, logs.getPartialSuccess().getRejectedLogRecords());

        var traces = ExportTraceServiceResponse.parseFrom(protobuf.exportResponse(Signal.TRACES, 0, "warning"));
        assertEquals(0, traces.getPartialSuccess().getRejectedSpans());
        assertEquals("warning", traces.getPartialSuccess().getErrorMessage());
    }

    @Test
    void leavesPartialSuccessUnsetWhenEverythingWasAccepted() {
        assertEquals(0, protobuf.exportResponse(Signal.METRICS, 0, "").length);
    }

    @Test
    void writesRpcStatusCodeThenMessage() {
        assertArrayEquals(new byte[] {0x08, 3, 0x12, 4, 'n', 'o', 'p', 'e'}, protobuf.status(3, "nope"));
    }
}
