package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.forward.Forwarder;
import dev.tokenmetrics.receiver.http.ExportConsumer;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.Signal;
import java.util.concurrent.CompletableFuture;

/**
 * Hands every export the local consumer made durable to the forwarder, before the client is answered: the queue's
 * write is done by the time the 200 goes out, so an acknowledged export is queued even if the process dies next.
 * An export the store could not keep is not forwarded (the client is told to retry it). The answer never waits for
 * the upstream.
 */
final class ForwardingConsumer implements ExportConsumer {

    private final ExportConsumer local;
    private final Forwarder forwarder;

    ForwardingConsumer(ExportConsumer local, Forwarder forwarder) {
        this.local = local;
        this.forwarder = forwarder;
    }

    @Override
    public CompletableFuture<ExportResult> consume(Signal signal, byte[] request) throws MalformedRequestException {
        return local.consume(signal, request).thenApply(result -> {
            forwarder.enqueue(signal, request);
            return result;
        });
    }
}
