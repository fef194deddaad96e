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
 * Files are length-prefixed bodies: bodies.pb, bodies.pb.gz and bodies.json, each file's windows apart from the
 * others' (a daemon sent the gzip or JSON bodies after the protobuf ones takes them as new usage too); and logs.pb,
 * its recorded logs export (an {@code api_request} event among six others), each copy its own event, which the
 * ledger writes as a row. A benchmark sends a file's bodies at most once to a daemon, or they become retries.
 * Arguments: the directory, how many gzip and JSON bodies, optionally how many logs bodies (default as many) and
 * how many protobuf bodies (default as many: more when a benchmark sends protobuf in more rows).
 */
public final class BenchPayloads {

    private BenchPayloads() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        // logs bodies may be more: every logs export is a ledger row, and a run that sends one again writes nothing
        int logsCount = args.length > 2 ? Integer.parseInt(args[2]) : count;
        int protobufCount = args.length > 3 ? Integer.parseInt(args[3]) : count;
        var recorded = OtlpJson.decode(Otlp.resource("cc-2.1.330-metrics-delta.json"),
                ExportMetricsServiceRequest.getDefaultInstance());
        var recordedLogs = OtlpJson.decode(Otlp.resource("cc-2.1.330-logs.json"),
                ExportLogsServiceRequest.getDefaultInstance());
        Instant base = Instant.now().minusSeconds(3600);
        try (var pb = open(dir.resolve("bodies.pb"))) {
            for (int i = 0; i < protobufCount; i++) {
                write(pb, copy(recorded, base, i).toByteArray());
            }
        }
        try (var pbGz = open(dir.resolve("bodies.pb.gz")); var js = open(dir.resolve("bodies.json"))) {
            for (int i = 0; i < count; i++) {
                write(pbGz, gzip(copy(recorded, base, protobufCount + i).toByteArray()));
                write(js, OtlpJson.encode(copy(recorded, base, protobufCount + count + i)));
            }
        }
        try (var logs = open(dir.resolve("logs.pb"))) {
            for (int i = 0; i < logsCount; i++) {
                write(logs, eventsOf(recordedLogs, "bench-" + (i % 64), i).toByteArray());
            }
        }
    }

    /** The recorded export's n-th copy: session bench-(n mod 64), its window n ms after the base. */
    private static ExportMetricsServiceRequest copy(ExportMetricsServiceRequest recorded, Instant base, int n) {
        return Otlp.withSession(Otlp.retimed(recorded, base.plusMillis(n)), "bench-" + (n % 64));
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
