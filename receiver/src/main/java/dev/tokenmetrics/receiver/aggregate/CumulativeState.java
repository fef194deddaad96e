package dev.tokenmetrics.receiver.aggregate;

/** The last point of a cumulative stream: its series start, time and running total. */
record CumulativeState(long startNanos, long lastTimeNanos, double lastValue) implements StreamState {

    @Override
    public long retainedBytes() {
        return 40;
    }
}
