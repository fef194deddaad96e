package dev.tokenmetrics.receiver.store;

import java.time.Duration;

/**
 * An output of the store (the metrics file, the usage ledger; /metrics to come), told of every commit on the
 * committer thread, after the batches are durable and applied, outside the aggregates' lock. It must return quickly:
 * exports wait for the committer. One that throws (an {@code Error} too) is logged and reported in {@code /health};
 * the listeners after it hear of the commit all the same.
 */
@FunctionalInterface
public interface CommitListener {

    void committed(Commit commit);

    /**
     * Called before the journal segments that hold the commits up to {@code sequence} are recycled: an output that
     * keeps its own durable copy of them makes it durable first, since the journal will no longer hold them. False
     * when it could not within the timeout; the segments are recycled all the same, so the journal stays bounded.
     */
    default boolean awaitDurable(long sequence, Duration timeout) {
        return true;
    }
}
