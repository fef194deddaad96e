package dev.tokenmetrics.receiver.http;

import com.google.protobuf.Message;
import dev.tokenmetrics.receiver.otlp.Signal;
import java.util.concurrent.CompletableFuture;

/** Where decoded exports go. The future completes once the export is safe to acknowledge. */
public interface ExportConsumer {

    CompletableFuture<ExportResult> consume(Signal signal, Message request);

    /** How much of an export was rejected, and why; zero and empty when all of it was accepted. */
    record ExportResult(long rejected, String errorMessage) {
        public static final ExportResult ACCEPTED = new ExportResult(0, "");
    }
}
