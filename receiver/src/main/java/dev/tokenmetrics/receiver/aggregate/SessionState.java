package dev.tokenmetrics.receiver.aggregate;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The running totals of one Claude Code session. Mutable; owned by the aggregator, which passes it times already
 * limited to what the session's exports could have meant. Keeps an estimate of its own heap bytes (see
 * {@link Footprint}), its key in the aggregator's map not included.
 */
final class SessionState {

    static final long BURN_WINDOW_NANOS = 5L * 60 * 1_000_000_000;
    /**
     * The burn rate's resolution: the 5 s export interval our launcher sets, so that a bucket is about one export.
     * The window's edge is as fuzzy, under 2 % of a five-minute rate.
     */
    static final long BURN_BUCKET_NANOS = 5L * 1_000_000_000;
    /** The window's 60 buckets and a few for points that arrive out of order; the oldest go first. */
    static final int MAX_BURN_BUCKETS = 64;
    /** This object (header, four references, four longs, an int) and its empty model map. */
    private static final long FIXED_BYTES = 72 + Footprint.TREE_MAP;

    final TreeMap<String, Usage> models = new TreeMap<>();
    long firstNanos = Long.MAX_VALUE;
    long lastNanos = Long.MIN_VALUE;
    /** The newest point's model: the models map's key itself, so that it costs no memory of its own. */
    String lastModel = "";
    Map<String, String> resource = Map.of();
    long apiRequests;
    /**
     * Token increases by bucket of point time, as (bucket start, tokens) pairs, oldest first; only those the burn
     * window can still reach. Null when there are none; otherwise sized to the next power of two of the count, so
     * that the size follows from the contents and a restored session is as big as the one written.
     */
    private long[] burn;
    private int burnBuckets;
    private long retainedBytes = FIXED_BYTES;

    /**
     * Whether any usage point has counted: a session known only from log events has no figures yet, and listing it
     * would show 0 as actual.
     */
    boolean hasUsage() {
        return !models.isEmpty();
    }

    /** Adds a point's increase; its start time (when it has one) counts as activity, since usage began then. */
    void add(String model, long startNanos, long timeNanos, Usage usage) {
        Usage was = models.get(model);
        Usage now = was == null ? usage : was.plus(usage);
        models.put(model, now); // keeps the key already there
        if (was == null) {
            retainedBytes += Footprint.TREE_ENTRY + Footprint.string(model);
        } else {
            retainedBytes -= Footprint.usage(was);
        }
        retainedBytes += Footprint.usage(now);
        touch(startNanos > 0 && startNanos < timeNanos ? startNanos : timeNanos);
        touch(timeNanos);
        if (timeNanos >= lastNanos && !lastModel.equals(model)) {
            lastModel = was == null ? model : models.ceilingKey(model);
        }
        long tokens = usage.tokens().total();
        if (tokens > 0) {
            long bucket = Math.floorDiv(timeNanos, BURN_BUCKET_NANOS) * BURN_BUCKET_NANOS;
            if (burnBuckets > 0 && burn[2 * burnBuckets - 2] == bucket) {
                burn[2 * burnBuckets - 1] = TokenCounts.add(burn[2 * burnBuckets - 1], tokens);
            } else {
                appendBurn(bucket, tokens);
            }
            dropBurnBefore(lastNanos - BURN_WINDOW_NANOS);
        }
    }

    void touch(long timeNanos) {
        firstNanos = Math.min(firstNanos, timeNanos);
        lastNanos = Math.max(lastNanos, timeNanos);
    }

    /** Counts an api_request event, already known to be new. */
    void countRequest(long timeNanos) {
        touch(timeNanos);
        apiRequests++;
    }

    void resource(Map<String, String> attributes) {
        if (!resource.equals(attributes)) { // an unchanged resource keeps its one copy
            retainedBytes += Footprint.strings(attributes) - Footprint.strings(resource);
            resource = attributes;
        }
    }

    /**
     * Forgets what no report from {@code nowNanos} on can show: burn buckets the window has passed, and the resource
     * of a session the report no longer lists (since {@code reportedSinceNanos}). A session is listed again only
     * after new activity, and every export that brings activity brings the session's resource with it.
     */
    void compact(long nowNanos, long reportedSinceNanos) {
        dropBurnBefore(nowNanos - BURN_WINDOW_NANOS + 1);
        if (lastNanos < reportedSinceNanos) {
            resource(Map.of());
        }
    }

    Usage total() {
        Usage total = Usage.ZERO;
        for (Usage usage : models.values()) {
            total = total.plus(usage);
        }
        return total;
    }

    /**
     * Tokens per minute over the last five minutes of point time before {@code nowNanos}. A session younger than the
     * window is measured over its own age (at least a minute), so a new session does not read as slow.
     */
    long tokensPerMinute(long nowNanos) {
        long windowStart = nowNanos - BURN_WINDOW_NANOS;
        long tokens = 0;
        for (int i = 0; i < burnBuckets; i++) {
            long start = burn[2 * i];
            if (start > windowStart && start <= nowNanos) {
                tokens = TokenCounts.add(tokens, burn[2 * i + 1]);
            }
        }
        long spanNanos = nowNanos - Math.max(windowStart, firstNanos);
        double minutes = Math.max(1.0, spanNanos / 60e9);
        return Math.round(tokens / minutes);
    }

    long retainedBytes() {
        return retainedBytes;
    }

    int burnBuckets() {
        return burnBuckets;
    }

    long burnBucketStart(int oldestFirst) {
        return burn[2 * oldestFirst];
    }

    long burnBucketTokens(int oldestFirst) {
        return burn[2 * oldestFirst + 1];
    }

    /** Appends a bucket read from persisted state; one in the newest bucket's interval joins it. */
    void restoreBurn(long timeNanos, long tokens) {
        long bucket = Math.floorDiv(timeNanos, BURN_BUCKET_NANOS) * BURN_BUCKET_NANOS;
        if (burnBuckets > 0 && burn[2 * burnBuckets - 2] == bucket) {
            burn[2 * burnBuckets - 1] = TokenCounts.add(burn[2 * burnBuckets - 1], tokens);
        } else {
            appendBurn(bucket, tokens);
        }
    }

    /** Adds a model's totals read from persisted state. */
    void restoreModel(String model, Usage usage) {
        models.put(model, usage);
        retainedBytes += Footprint.TREE_ENTRY + Footprint.string(model) + Footprint.usage(usage);
    }

    /** Sets the last model read from persisted state, sharing the models map's key when it is one. */
    void restoreLastModel(String model) {
        String key = models.ceilingKey(model);
        if (model.equals(key) || model.isEmpty()) {
            lastModel = model.isEmpty() ? "" : key;
        } else {
            lastModel = model;
            retainedBytes += Footprint.string(model);
        }
    }

    private void appendBurn(long bucket, long tokens) {
        if (burnBuckets == MAX_BURN_BUCKETS) {
            dropOldestBurn(1);
        }
        fitBurn(burnBuckets + 1);
        burn[2 * burnBuckets] = bucket;
        burn[2 * burnBuckets + 1] = tokens;
        burnBuckets++;
    }

    private void dropBurnBefore(long horizonNanos) {
        int stale = 0;
        while (stale < burnBuckets && burn[2 * stale] < horizonNanos) {
            stale++;
        }
        dropOldestBurn(stale);
    }

    private void dropOldestBurn(int count) {
        if (count > 0) {
            System.arraycopy(burn, 2 * count, burn, 0, 2 * (burnBuckets - count));
            burnBuckets -= count;
            fitBurn(burnBuckets);
        }
    }

    /** Sizes the bucket array for {@code count} buckets: the next power of two, at least 4; none for none. */
    private void fitBurn(int count) {
        int capacity = count == 0 ? 0 : Math.max(4, Integer.highestOneBit(count - 1) << 1);
        int current = burn == null ? 0 : burn.length / 2;
        if (capacity != current) {
            retainedBytes += (capacity == 0 ? 0 : Footprint.longArray(2 * capacity))
                    - (current == 0 ? 0 : Footprint.longArray(2 * current));
            burn = capacity == 0 ? null : Arrays.copyOf(burn == null ? new long[0] : burn, 2 * capacity);
        }
    }
}
