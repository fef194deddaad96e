package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.aggregate.UsageAggregator;

/** Prints the aggregator's bounds, for the soak benchmark (bench/soak-bench.sh) to set beside what it measured. */
public final class SoakBound {

    private SoakBound() {
    }

    public static void main(String[] args) {
        System.out.printf("at most %,d sessions and %,d streams, aggregator state at most %.1f MiB (estimated);"
                + " the metrics file lists at most %,d sessions%n", UsageAggregator.MAX_SESSIONS,
                UsageAggregator.MAX_STREAMS, UsageAggregator.MAX_RETAINED_BYTES / 1048576.0,
                UsageAggregator.MAX_REPORTED_SESSIONS);
    }
}
