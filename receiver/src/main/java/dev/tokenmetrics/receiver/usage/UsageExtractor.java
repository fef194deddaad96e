package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.time.Clock;
import java.time.Instant;

/**
 * Picks Claude Code's usage out of OTLP exports, reading the protobuf wire format directly (see {@link WireReader}):
 * {@link MetricsWalk} and {@link LogsWalk} find it, {@link PointRules} checks what can be checked without history,
 * and an {@link ExportCollector} made for the call gathers it, with the points rejected and why: the rest of the
 * export still counts. Each batch is stamped with the time it was received, from the extractor's clock.
 * Stateless and thread-safe.
 */
public final class UsageExtractor {

    private final Clock clock;

    /** Stamps batches with the system clock's time. */
    public UsageExtractor() {
        this(Clock.systemUTC());
    }

    public UsageExtractor(Clock clock) {
        this.clock = clock;
    }

    /** Reads an ExportMetricsServiceRequest: the points of claude_code.token.usage and claude_code.cost.usage. */
    public Extraction metrics(byte[] wire) throws MalformedRequestException {
        long receivedNanos = receivedNanos();
        var export = new ExportCollector();
        new MetricsWalk(export).request(WireReader.of(wire));
        return export.extraction(receivedNanos);
    }

    /** Reads an ExportLogsServiceRequest: the {@code claude_code.api_request} events, one per API call. */
    public Extraction logs(byte[] wire) throws MalformedRequestException {
        long receivedNanos = receivedNanos();
        var export = new ExportCollector();
        new LogsWalk(export).request(WireReader.of(wire));
        return export.extraction(receivedNanos);
    }

    private long receivedNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
