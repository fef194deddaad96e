package dev.tokenmetrics.receiver;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

/**
 * Writes request bodies for the receiver benchmark (bench/receiver-bench.sh): Claude Code 2.1.330's recorded export,
 * each copy with its own session (one of 64) and time window, so that every request is new usage, not a retry.
 * Files are length-prefixed bodies: bodies.pb, bodies.pb.gz and bodies.json; and logs.pb, its recorded logs export
 * (an {@code api_request} event among six others), each copy its own event, which the ledger writes as a row.
 * Arguments: the directory, how many bodies of each, and optionally how many logs bodies (default as many).
 */
public final class BenchPayloads {

    private BenchPayloads() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        // logs bodies may be more: every logs export is a ledger row, and a run that sends one again writes nothing
        int logsCount = args.length > 2 ? Integer.parseInt(args[2]) : count;
        var recorded = OtlpJson.decode(Otlp.resource("cc-2.1.330-metrics-delta.json"),
                ExportMetricsServiceRequest.getDefaultInstance());
        var recordedLogs = OtlpJson.decode(Otlp.resource("cc-2.1.330-logs.json"),
                ExportLogsServiceRequest.getDefaultInstance());
        Instant base = Instant.now().minusSeconds(3600);
        try (var pb = open(dir.resolve("bodies.pb")); var pbGz = open(dir.resolve("bodies.pb.gz"));
             var js = open(dir.resolve("bodies.json")); var logs = open(dir.resolve("logs.pb"))) {
            for (int i = 0; i < count; i++) {
                ExportMetricsServiceRequest body = Otlp.withSession(Otlp.retimed(recorded, base.plusMillis(i)), "bench-" + (i % 64));
                write(pb, body.toByteArray());
                write(pbGz, gzip(body.toByteArray()));
                write(js, OtlpJson.encode(body));
            }
            for (int i = 0; i < logsCount; i++) {
                write(logs, eventsOf(recordedLogs, "bench-" + (i % 64), i).toByteArray());
            }
        }
    }

    /** The recorded events in another session, each with its own sequence number: new events, not a retry. */
    private static ExportLogsServiceRequest eventsOf(ExportLogsServiceRequest recorded, String session, int copy) {
        var request = recorded.toBuilder();
        for (var resource : request.getResourceLogsBuilderList()) {
            for (var scope : resource.getScopeLogsBuilderList()) {
                for (var record : scope.getLogRecordsBuilderList()) {
                    for (var attribute : record.getAttributesBuilderList()) {
                        switch (attribute.getKey()) {
                            case "session.id" -> attribute.getValueBuilder().setStringValue(session);
                            case "event.sequence" -> attribute.getValueBuilder()
                                    .setIntValue(attribute.getValue().getIntValue() + 1000L * copy);
                            default -> { }
                        }
                    }
                }
            }
        }
        return request.build();
    }

    private static DataOutputStream open(Path file) throws IOException {
        return new DataOutputStream(Files.newOutputStream(file));
    }

    private static void write(DataOutputStream out, byte[] body) throws IOException {
        out.writeInt(body.length);
        out.write(body);
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        }
        return out.toByteArray();
    }

}
