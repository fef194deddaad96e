package dev.tokenmetrics.receiver.usage;

/**
 * Identifies one time series: resource, scope, metric and point attributes, as a 128-bit digest so that the
 * cumulative-stream bookkeeping stays small in memory and on disk.
 */
public record StreamId(long high, long low) {
}
