package dev.tokenmetrics.receiver;

import com.google.protobuf.Message;
import dev.tokenmetrics.receiver.http.ExportConsumer;
import dev.tokenmetrics.receiver.otlp.Signal;
import dev.tokenmetrics.receiver.store.UsageStore;
import dev.tokenmetrics.receiver.usage.Extraction;
import dev.tokenmetrics.receiver.usage.UsageExtractor;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.util.concurrent.CompletableFuture;

/** Connects the server to the store: extracts the usage an export carries and records it durably. */
final class UsageExportConsumer implements ExportConsumer {

    private final UsageStore store;
    private final UsageExtractor extractor = new UsageExtractor();

    UsageExportConsumer(UsageStore store) {
        this.store = store;
    }

    @Override
    public CompletableFuture<ExportResult> consume(Signal signal, Message request) {
        Extraction extraction = switch (signal) {
            case METRICS -> extractor.metrics((ExportMetricsServiceRequest) request);
            case LOGS -> extractor.logs((ExportLogsServiceRequest) request);
            case TRACES -> null; // decoded and validated; Claude Code's spans carry no usage we keep
        };
        if (extraction == null) {
            return CompletableFuture.completedFuture(ExportResult.ACCEPTED);
        }
        return store.record(extraction.batch())
                .thenApply(changed -> new ExportResult(extraction.rejected(), extraction.errorMessage()));
    }
}
