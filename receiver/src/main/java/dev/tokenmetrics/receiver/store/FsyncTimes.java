package dev.tokenmetrics.receiver.store;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long the journal takes to make a group of exports durable (write + fsync), as a histogram with fixed buckets:
 * what an exporter waits for before its acknowledgement. Recorded by the committer thread, read by scrapes.
 */
public final class FsyncTimes {

    /** Upper bounds in seconds: fsync is tens of microseconds on NVMe, tens of milliseconds on a busy laptop disk. */
    public static final double[] BOUNDS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5};
    /** The same bounds as Prometheus' {@code le} labels. */
    public static final java.util.List<String> BOUND_LABELS = java.util.List.of("0.0001", "0.00025", "0.0005", "0.001",
            "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5");

    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_SECONDS.length + 1); // the last is +Inf
    private final LongAdder sumNanos = new LongAdder();

    void record(long nanos) {
        double seconds = nanos / 1e9;
        int bucket = 0;
        while (bucket < BOUNDS_SECONDS.length && seconds > BOUNDS_SECONDS[bucket]) {
            bucket++;
        }
        buckets.incrementAndGet(bucket);
        sumNanos.add(nanos);
    }

    /** Counts per bucket (not cumulative; the last is above every bound), the sum, read without stopping writers. */
    public Snapshot snapshot() {
        long[] counts = new long[buckets.length()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets.get(i);
        }
        return new Snapshot(counts, sumNanos.sum() / 1e9);
    }

    public record Snapshot(long[] counts, double sumSeconds) {
        public long count() {
            long total = 0;
            for (long count : counts) {
                total += count;
            }
            return total;
        }
    }
}
