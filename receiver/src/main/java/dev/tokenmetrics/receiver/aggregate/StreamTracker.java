package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.StreamId;
import dev.tokenmetrics.receiver.usage.Temporality;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * Remembers enough of every stream to turn its next point into an increase of the totals.
 * <ul>
 * <li>CUMULATIVE: the increase since the stream's last point. A changed start time or a smaller value starts a new
 * series, which counts in full. A point no newer than the last one seen (a retry, or late) adds nothing.</li>
 * <li>DELTA: the value itself, unless this exact window (start, time) was already counted: an exporter's retry.</li>
 * </ul>
 */
final class StreamTracker {

    /** Delta windows remembered per stream: minutes of retries at Claude Code's export intervals. */
    static final int DELTA_WINDOWS = 64;

    private final Map<StreamId, StreamState> streams = new HashMap<>();

    /** The increase the point brings, or null when it brings nothing new. */
    BigDecimal increase(UsagePoint point) {
        StreamState state = streams.get(point.stream());
        if (point.temporality() == Temporality.DELTA) {
            DeltaState delta = state instanceof DeltaState known ? known : new DeltaState();
            streams.put(point.stream(), delta);
            return delta.firstSighting(point.startNanos(), point.timeNanos()) ? decimal(point.value()) : null;
        }
        CumulativeState previous = state instanceof CumulativeState known ? known : null;
        if (previous != null && point.timeNanos() <= previous.lastTimeNanos()) {
            return null;
        }
        streams.put(point.stream(), new CumulativeState(point.startNanos(), point.timeNanos(), point.value()));
        boolean newSeries = previous == null || point.startNanos() != previous.startNanos()
                || point.value() < previous.lastValue();
        return newSeries ? decimal(point.value()) : decimal(point.value()).subtract(decimal(previous.lastValue()));
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
        streams.values().removeIf(state -> state.lastTimeNanos() < horizonNanos);
    }

    Map<StreamId, StreamState> streams() {
        return streams;
    }
}
