package dev.tokenmetrics.receiver.store;

import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.util.List;

/** One group commit: the batches made durable and applied, in journal order, and how many points changed totals. */
public record Commit(List<UsageBatch> batches, int changed) {
    public Commit {
        batches = List.copyOf(batches);
    }
}
