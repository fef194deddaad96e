package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.Signal;
import java.util.concurrent.CompletableFuture;

/** Where exports go, as protobuf wire format. The future completes once the export is safe to acknowledge. */
public interface ExportConsumer {

    /** Throws, before anything is kept, when the export turns out to be malformed. */
    CompletableFuture<ExportResult> consume(Signal signal, byte[] request) throws MalformedRequestException;

    /** How much of an export was rejected, and why; zero and empty when all of it was accepted. */
    record ExportResult(long rejected, String errorMessage) {
        public static final ExportResult ACCEPTED = new ExportResult(0, "");
    }
}
