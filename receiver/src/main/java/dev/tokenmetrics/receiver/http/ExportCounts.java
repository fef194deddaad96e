package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of the exports this process answered, by signal, encoding and result, and how many items were
 * rejected: the receiver's own health, counted on the event loops, read by scrapes. Counts start at zero with the
 * process, as any exporter's do.
 */
public final class ExportCounts {

    /** How an export was answered. */
    public enum Result {
        /** 200, everything counted. */
        ACCEPTED,
        /** 200 with partial success: some items rejected. */
        PARTIAL,
        /** 400: not OTLP. */
        BAD_REQUEST,
        /** 413: over the size limits. */
        TOO_LARGE,
        /** 503: could not be made durable; the exporter retries. */
        UNAVAILABLE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The two encodings, by their names, in this order. */
    public static final List<String> ENCODINGS = List.of("protobuf", "json");

    private final AtomicLongArray counts =
            new AtomicLongArray(Signal.values().length * ENCODINGS.size() * Result.values().length);
    private final LongAdder rejectedItems = new LongAdder();

    void count(Signal signal, String encoding, Result result) {
        counts.incrementAndGet(index(signal, ENCODINGS.indexOf(encoding), result));
    }

    void rejected(long items) {
        rejectedItems.add(items);
    }

    public long rejectedItems() {
        return rejectedItems.sum();
    }

    /** Every combination seen at least once. */
    public List<Count> snapshot() {
        var seen = new ArrayList<Count>();
        for (Signal signal : Signal.values()) {
            for (int encoding = 0; encoding < ENCODINGS.size(); encoding++) {
                for (Result result : Result.values()) {
                    long count = counts.get(index(signal, encoding, result));
                    if (count > 0) {
                        seen.add(new Count(signal, ENCODINGS.get(encoding), result, count));
                    }
                }
            }
        }
        return seen;
    }

    private static int index(Signal signal, int encoding, Result result) {
        return (signal.ordinal() * ENCODINGS.size() + encoding) * Result.values().length + result.ordinal();
    }

    public record Count(Signal signal, String encoding, Result result, long count) {
    }
}
