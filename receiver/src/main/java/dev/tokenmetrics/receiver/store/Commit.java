package dev.tokenmetrics.receiver.store;

import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.util.List;

/**
 * One group commit: its number (1, 2, … since the store opened), the batches made durable and applied, in journal
 * order, and how many of their points and events changed the totals.
 */
public record Commit(long sequence, List<UsageBatch> batches, int changed) {
    public Commit {
        batches = List.copyOf(batches);
    }
}
