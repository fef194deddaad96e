package dev.tokenmetrics.receiver.usage;

/** How a sum's points relate to each other: each point a fresh increment, or a running total since its start. */
public enum Temporality {
    DELTA,
    CUMULATIVE
}
