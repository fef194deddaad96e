package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.http.ExportConsumer;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.ProtobufEncoding;
import dev.tokenmetrics.receiver.otlp.Signal;
import dev.tokenmetrics.receiver.store.UsageStore;
import dev.tokenmetrics.receiver.usage.Extraction;
import dev.tokenmetrics.receiver.usage.UsageExtractor;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** Connects the server to the store: extracts the usage an export carries and records it durably. */
final class UsageExportConsumer implements ExportConsumer {

    private final UsageStore store;
    private final UsageExtractor extractor;

    /** {@code clock} stamps each batch with the time it was received, against which future-dated points are capped. */
    UsageExportConsumer(UsageStore store, Clock clock) {
        this.store = store;
        this.extractor = new UsageExtractor(clock);
    }

    @Override
    public CompletableFuture<ExportResult> consume(Signal signal, byte[] request) throws MalformedRequestException {
        Extraction extraction = switch (signal) {
            case METRICS -> extractor.metrics(request);
            case LOGS -> extractor.logs(request);
            case TRACES -> {
                ProtobufEncoding.parse(request, signal.requestPrototype()); // checked; spans carry no usage we keep
                yield null;
            }
        };
        if (extraction == null) {
            return CompletableFuture.completedFuture(ExportResult.ACCEPTED);
        }
        return store.record(extraction.batch())
                .thenApply(changed -> new ExportResult(extraction.rejected(), extraction.errorMessage()));
    }
}
