package dev.tokenmetrics.receiver.store;

/**
 * An output of the store (the metrics file today; a usage history and /metrics to come), told of every commit on
 * the committer thread, after the batches are durable and applied, outside the aggregates' lock. It must return
 * quickly: exports wait for the committer.
 */
@FunctionalInterface
public interface CommitListener {
    void committed(Commit commit);
}
