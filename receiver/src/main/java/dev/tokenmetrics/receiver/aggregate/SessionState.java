package dev.tokenmetrics.receiver.aggregate;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;

/** The running totals of one Claude Code session. Mutable; owned by the aggregator. */
final class SessionState {

    static final long BURN_WINDOW_NANOS = 5L * 60 * 1_000_000_000;
    static final int MAX_REMEMBERED_EVENTS = 4096;

    final Map<String, Usage> models = new TreeMap<>();
    long firstNanos = Long.MAX_VALUE;
    long lastNanos = Long.MIN_VALUE;
    String lastModel = "";
    Map<String, String> resource = Map.of();
    long apiRequests;
    /** Token increases in one-second buckets by point time, newest last, covering the burn-rate window: bounded. */
    final ArrayDeque<long[]> recentTokens = new ArrayDeque<>();
    /** Keys of api_request events already counted, oldest first. */
    final LinkedHashSet<Long> countedEvents = new LinkedHashSet<>();

    /**
     * Whether any usage point has counted: a session known only from log events has no figures yet, and listing it
     * would show 0 as actual.
     */
    boolean hasUsage() {
        return !models.isEmpty();
    }

    /** Adds a point's increase; its start time (when it has one) counts as activity, since usage began then. */
    void add(String model, long startNanos, long timeNanos, Usage usage) {
        models.merge(model, usage, Usage::plus);
        touch(startNanos > 0 && startNanos < timeNanos ? startNanos : timeNanos);
        touch(timeNanos);
        if (timeNanos >= lastNanos) {
            lastModel = model;
        }
        if (usage.tokens().total() > 0) {
            long second = Math.floorDiv(timeNanos, 1_000_000_000L) * 1_000_000_000L;
            long[] newest = recentTokens.peekLast();
            if (newest != null && newest[0] == second) {
                newest[1] += usage.tokens().total();
            } else {
                recentTokens.addLast(new long[] {second, usage.tokens().total()});
            }
            long horizon = lastNanos - BURN_WINDOW_NANOS;
            while (!recentTokens.isEmpty() && recentTokens.peekFirst()[0] < horizon) {
                recentTokens.removeFirst();
            }
        }
    }

    void touch(long timeNanos) {
        firstNanos = Math.min(firstNanos, timeNanos);
        lastNanos = Math.max(lastNanos, timeNanos);
    }

    /** Counts an api_request event once, however often a retried export repeats it. */
    boolean countEvent(long eventKey) {
        if (!countedEvents.add(eventKey)) {
            return false;
        }
        if (countedEvents.size() > MAX_REMEMBERED_EVENTS) {
            Iterator<Long> oldest = countedEvents.iterator();
            oldest.next();
            oldest.remove();
        }
        apiRequests++;
        return true;
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
        for (long[] entry : recentTokens) {
            if (entry[0] > windowStart && entry[0] <= nowNanos) {
                tokens += entry[1];
            }
        }
        long spanNanos = nowNanos - Math.max(windowStart, firstNanos);
        double minutes = Math.max(1.0, spanNanos / 60e9);
        return Math.round(tokens / minutes);
    }
}
