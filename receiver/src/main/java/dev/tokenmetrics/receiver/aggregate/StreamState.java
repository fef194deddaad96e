package dev.tokenmetrics.receiver.aggregate;

/** What is remembered of one stream between its points. */
sealed interface StreamState permits CumulativeState, DeltaState {

    long lastTimeNanos();

    /** This state's estimated heap bytes, its key and map entry not included (see {@link Footprint}). */
    long retainedBytes();
}
