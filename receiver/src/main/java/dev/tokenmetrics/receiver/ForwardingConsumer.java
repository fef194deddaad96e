package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.forward.Forwarder;
import dev.tokenmetrics.receiver.http.ExportConsumer;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.Signal;
import dev.tokenmetrics.receiver.store.Commit;
import dev.tokenmetrics.receiver.store.CommitListener;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Hands every export the local consumer made durable to the forwarder, and answers the client once the forwarder
 * has written it into its queue: an acknowledged export is queued even if the process dies next. An export the store
 * could not keep is not forwarded (the client is told to retry it). The answer never waits for the upstream, and a
 * fault of forwarding's never changes it; once forwarding has stopped (the receiver stopping), an export it can no
 * longer queue is answered 503, never 200 as if queued. Listening to the store's commits, it tells the forwarder
 * where each group ends: the group's exports go into the queue with one write.
 */
final class ForwardingConsumer implements ExportConsumer, CommitListener {

    private static final Logger LOG = Logger.getLogger(ForwardingConsumer.class.getName());

    private final ExportConsumer local;
    private final Forwarder forwarder;

    ForwardingConsumer(ExportConsumer local, Forwarder forwarder) {
        this.local = local;
        this.forwarder = forwarder;
    }

    @Override
    public void committed(Commit commit) {
        forwarder.groupEnded();
    }

    @Override
    public CompletableFuture<ExportResult> consume(Signal signal, byte[] request) throws MalformedRequestException {
        return local.consume(signal, request).thenCompose(result -> {
            try {
                // Failed only when forwarding has stopped: not queued, so not acknowledged either (a 503).
                return forwarder.enqueue(signal, request).thenApply(queued -> result);
            } catch (RuntimeException e) { // a fault of forwarding's must not turn a stored export into a 503
                LOG.warning("forwarding: could not queue an export: " + e);
                return CompletableFuture.completedFuture(result);
            }
        });
    }
}
