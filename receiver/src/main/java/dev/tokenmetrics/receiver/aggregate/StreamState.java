package dev.tokenmetrics.receiver.aggregate;

/** What is remembered of one stream between its points. */
sealed interface StreamState permits CumulativeState, DeltaState {
    long lastTimeNanos();
}
