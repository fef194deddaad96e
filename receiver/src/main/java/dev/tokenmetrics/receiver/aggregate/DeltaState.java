package dev.tokenmetrics.receiver.aggregate;

/** The most recent windows of a delta stream, to recognise a retried export's points. */
final class DeltaState implements StreamState {

    private final long[] starts = new long[StreamTracker.DELTA_WINDOWS];
    private final long[] times = new long[StreamTracker.DELTA_WINDOWS];
    private int size;
    private int next;
    private long lastTimeNanos = Long.MIN_VALUE;

    /** Records the window; false when it was recorded before. */
    boolean firstSighting(long startNanos, long timeNanos) {
        for (int i = 0; i < size; i++) {
            if (times[i] == timeNanos && starts[i] == startNanos) {
                return false;
            }
        }
        starts[next] = startNanos;
        times[next] = timeNanos;
        next = (next + 1) % times.length;
        size = Math.min(size + 1, times.length);
        lastTimeNanos = Math.max(lastTimeNanos, timeNanos);
        return true;
    }

    @Override
    public long lastTimeNanos() {
        return lastTimeNanos;
    }

    /**
     * How many windows are remembered. With {@link #windowStart} and {@link #windowTime}, oldest first, they are what
     * persistence writes: replaying them through firstSighting restores this state. Read by index rather than copied
     * out, since a snapshot visits every stream while exports wait.
     */
    int windowCount() {
        return size;
    }

    long windowStart(int oldestFirst) {
        return starts[index(oldestFirst)];
    }

    long windowTime(int oldestFirst) {
        return times[index(oldestFirst)];
    }

    private int index(int oldestFirst) {
        return (next - size + oldestFirst + times.length) % times.length;
    }
}
