package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.StreamId;
import dev.tokenmetrics.receiver.usage.Temporality;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Remembers enough of every stream to turn its next point into an increase of the totals.
 * <ul>
 * <li>CUMULATIVE: the increase since the stream's last point. A changed start time or a smaller value starts a new
 * series, which counts in full. A point no newer than the last one seen (a retry, or late) adds nothing.</li>
 * <li>DELTA: the value itself, unless this exact window (start, time) was already counted: an exporter's retry.</li>
 * </ul>
 * Streams are kept least recently used first, so that the aggregator can evict the ones longest without a point.
 */
final class StreamTracker {

    /**
     * Delta windows remembered per stream: five minutes of retries at the 5 s export interval our launcher sets,
     * far longer than an OpenTelemetry exporter retries one export.
     */
    static final int DELTA_WINDOWS = 64;

    private final Map<StreamId, StreamState> streams = new LinkedHashMap<>(16, 0.75f, true);
    private long retainedBytes;

    /** The increase the point brings, or null when it brings nothing new. */
    BigDecimal increase(UsagePoint point) {
        StreamState state = streams.get(point.stream());
        if (point.temporality() == Temporality.DELTA) {
            DeltaState delta = state instanceof DeltaState known ? known : new DeltaState();
            long before = state == null ? 0 : state.retainedBytes();
            boolean first = delta.firstSighting(point.startNanos(), point.timeNanos());
            replaced(point.stream(), state, delta, before);
            return first ? decimal(point.value()) : null;
        }
        CumulativeState previous = state instanceof CumulativeState known ? known : null;
        if (previous != null && point.timeNanos() <= previous.lastTimeNanos()) {
            return null;
        }
        var next = new CumulativeState(point.startNanos(), point.timeNanos(), point.value());
        replaced(point.stream(), state, next, state == null ? 0 : state.retainedBytes());
        boolean newSeries = previous == null || point.startNanos() != previous.startNanos()
                || point.value() < previous.lastValue();
        return newSeries ? decimal(point.value()) : decimal(point.value()).subtract(decimal(previous.lastValue()));
    }

    /** Puts {@code now} in place of {@code was} (null when new), which took {@code wasBytes}, counting the change. */
    private void replaced(StreamId id, StreamState was, StreamState now, long wasBytes) {
        if (was == null) {
            retainedBytes += Footprint.MAP_ENTRY + Footprint.STREAM_ID;
        }
        if (was != now) {
            streams.put(id, now);
        }
        retainedBytes += now.retainedBytes() - wasBytes;
    }

    /**
     * The value as the decimal its shortest representation spells. Whole numbers, which every token count is, are
     * taken directly: the general route through Double.toString took some 3 % of the daemon's CPU under load.
     */
    static BigDecimal decimal(double value) {
        if (Math.abs(value) < 0x1p53 && value == Math.rint(value)) { // exactly a long
            return BigDecimal.valueOf((long) value);
        }
        return BigDecimal.valueOf(value);
    }

    /** Forgets streams with no point since the horizon; their clients are long gone. */
    void forgetOlderThan(long horizonNanos) {
        forgetIf(state -> state.lastTimeNanos() < horizonNanos);
    }

    /**
     * Forgets delta streams with no point since the horizon: their windows only ever matter to a retry, and no
     * exporter retries that long. A forgotten delta stream is the same as a new one.
     */
    void forgetDeltasOlderThan(long horizonNanos) {
        forgetIf(state -> state instanceof DeltaState && state.lastTimeNanos() < horizonNanos);
    }

    private void forgetIf(Predicate<StreamState> forget) {
        for (Iterator<StreamState> states = streams.values().iterator(); states.hasNext(); ) {
            StreamState state = states.next();
            if (forget.test(state)) {
                retainedBytes -= entryBytes(state);
                states.remove();
            }
        }
    }

    /** Evicts the least recently used streams until at most {@code maxStreams} in at most {@code maxBytes} remain. */
    void evictBeyond(int maxStreams, long maxBytes) {
        Iterator<StreamState> eldest = streams.values().iterator();
        while (eldest.hasNext() && (streams.size() > maxStreams || retainedBytes > maxBytes)) {
            retainedBytes -= entryBytes(eldest.next());
            eldest.remove();
        }
    }

    private static long entryBytes(StreamState state) {
        return Footprint.MAP_ENTRY + Footprint.STREAM_ID + state.retainedBytes();
    }

    /** Adds a stream read from persisted state, as the most recently used. */
    void restore(StreamId id, StreamState state) {
        StreamState was = streams.get(id);
        replaced(id, was, state, was == null ? 0 : was.retainedBytes());
    }

    /** The streams, least recently used first: read-only, for persistence. */
    Map<StreamId, StreamState> streams() {
        return streams;
    }

    int size() {
        return streams.size();
    }

    /** The estimated heap bytes of every stream (see {@link Footprint}). */
    long retainedBytes() {
        return retainedBytes;
    }
}
