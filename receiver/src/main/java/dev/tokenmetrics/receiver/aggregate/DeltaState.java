package dev.tokenmetrics.receiver.aggregate;

import java.util.Arrays;

/**
 * The most recent windows of a delta stream, to recognise a retried export's points. Room grows with the windows
 * seen, up to {@link StreamTracker#DELTA_WINDOWS}, after which the oldest is overwritten: a stream's size is a
 * function of how many windows it has seen, so a restored stream is the same size as the one written.
 */
final class DeltaState implements StreamState {

    private static final int INITIAL_WINDOWS = 4;

    /** (start, time) pairs; a ring once full. */
    private long[] windows = new long[2 * INITIAL_WINDOWS];
    private int size;
    private int next;
    private long lastTimeNanos = Long.MIN_VALUE;

    /** Records the window; false when it was recorded before. */
    boolean firstSighting(long startNanos, long timeNanos) {
        for (int i = 0; i < size; i++) {
            if (windows[2 * i + 1] == timeNanos && windows[2 * i] == startNanos) {
                return false;
            }
        }
        int capacity = windows.length / 2;
        if (size == capacity && capacity < StreamTracker.DELTA_WINDOWS) {
            windows = Arrays.copyOf(windows, 2 * Math.min(2 * capacity, StreamTracker.DELTA_WINDOWS));
            next = size; // not yet a ring: the windows are in order from index 0
            capacity = windows.length / 2;
        }
        windows[2 * next] = startNanos;
        windows[2 * next + 1] = timeNanos;
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);
        lastTimeNanos = Math.max(lastTimeNanos, timeNanos);
        return true;
    }

    @Override
    public long lastTimeNanos() {
        return lastTimeNanos;
    }

    @Override
    public long retainedBytes() {
        return 32 + Footprint.longArray(windows.length);
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
        return windows[2 * index(oldestFirst)];
    }

    long windowTime(int oldestFirst) {
        return windows[2 * index(oldestFirst) + 1];
    }

    private int index(int oldestFirst) {
        int capacity = windows.length / 2;
        return (next - size + oldestFirst + capacity) % capacity;
    }
}
