package dev.tokenmetrics.receiver.ledger;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * A 5-hour usage window of the whole machine, cut as ccusage (and the reports' {@code blocks}) cut them: a block
 * starts at the UTC hour of its first request; a request more than 5 hours after the block's start, or more than 5
 * hours after the request before it, starts the next one. The hour is floored on the epoch, so the local time zone
 * never moves a block.
 *
 * @param costPicos the priced rows' cost in 10^-12 USD (exact: the ledger's decimals summed as integers)
 * @param unpriced  rows without a cost; when every row is one, the block's cost is unknown, never 0
 */
public record LedgerBlock(long startMillis, long firstMillis, long lastMillis, long requests, long input, long output,
                          long cacheRead, long cacheCreation, long costPicos, long unpriced) {

    public static final Duration LENGTH = Duration.ofHours(5);
    private static final long LENGTH_MS = LENGTH.toMillis();
    private static final long HOUR_MS = 3_600_000;

    public long endMillis() {
        return startMillis + LENGTH_MS;
    }

    /** Active at {@code nowMillis}: its last request less than 5 hours ago and its end still ahead. */
    public boolean activeAt(long nowMillis) {
        return nowMillis - lastMillis < LENGTH_MS && nowMillis < endMillis();
    }

    public long totalTokens() {
        return input + output + cacheRead + cacheCreation;
    }

    /** The priced rows' cost in USD, or null when no row of the block has one. */
    public BigDecimal costUsd() {
        return requests > 0 && unpriced == requests ? null : BigDecimal.valueOf(costPicos, 12);
    }

    /** The start of an hour-floored UTC block holding a request at {@code millis}. */
    static long hourOf(long millis) {
        return Math.floorDiv(millis, HOUR_MS) * HOUR_MS;
    }

    /** Where a block begins: its start (an hour) and its first request. */
    record Cut(long startMillis, long firstMillis) {
    }

    /**
     * Where the last block of the requests at the first {@code count} {@code times} (ascending) begins. The chain is
     * cut from {@code times[0]}, taken as the first request of a block.
     */
    static Cut lastBlock(long[] times, int count) {
        long first = times[0];
        long start = hourOf(first);
        long last = first;
        for (int i = 1; i < count; i++) {
            long time = times[i];
            if (time - start > LENGTH_MS || time - last > LENGTH_MS) {
                first = time;
                start = hourOf(time);
            }
            last = time;
        }
        return new Cut(start, first);
    }
}
