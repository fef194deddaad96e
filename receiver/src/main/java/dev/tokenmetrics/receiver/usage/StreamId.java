package dev.tokenmetrics.receiver.usage;

/**
 * Identifies one time series: resource, scope, metric and point attributes, as a 128-bit digest so that the
 * cumulative-stream bookkeeping stays small in memory and on disk.
 */
public record StreamId(long high, long low) {

    // Written out: a record's generated equals goes through method handles, slow in the C1-compiled daemon, and
    // every data point looks its stream up by this key.
    @Override
    public boolean equals(Object other) {
        return other instanceof StreamId id && id.high == high && id.low == low;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high) * 31 + Long.hashCode(low);
    }
}
