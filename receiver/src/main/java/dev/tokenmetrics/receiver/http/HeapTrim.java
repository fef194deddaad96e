package dev.tokenmetrics.receiver.http;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Gives the heap back to the system once the daemon is quiet after it grew. The launcher's serial collector resizes
 * its old generation only in a full collection, and a quiet daemon hardly ever runs one: after a burst of exports
 * or a large report the heap would stay at its peak for hours (after the receiver bench's loads, an old generation
 * of 8.5 MB of which 5 MB live; after a year's session reports, 110 MiB resident).
 *
 * <p>Checked every {@link #EVERY}. Quiet is at most {@link #QUIET} requests since the check before (Claude Code sends
 * a few every ten seconds, a load thousands) and no query of the dashboard's API: one report may build megabytes,
 * and a script's or the dashboard's run back to back would otherwise pay for the collections and the heap's
 * growing again, every time. After
 * {@link #QUIET_CHECKS} quiet checks in a row, when the heap has grown by {@link #GROWTH} since the last trim, four
 * full collections: a serial collector shrinks in steps, 0, 10, 40 then 100 % of what is free beyond
 * MaxHeapFreeRatio (10 % in the launcher), some milliseconds each for a heap this small. What the requests left
 * behind may still be in use then (the ledger's writer catching up, its buffers kept for 10 s idle), so a trim for
 * growth is followed by one more after {@link #FOLLOW_UP_CHECKS} quiet checks since it.
 */
final class HeapTrim {

    static final Duration EVERY = Duration.ofSeconds(5);
    static final long QUIET = 25;
    static final int QUIET_CHECKS = 3;
    static final int FOLLOW_UP_CHECKS = 12;
    static final long GROWTH = 1 << 20;
    static final int COLLECTIONS = 4;

    private final LongSupplier requests;
    private final LongSupplier queries;
    private final LongSupplier committed;
    private final Runnable collect;
    private long requestsAtLastCheck;
    private long queriesAtLastCheck;
    private int quietChecks;
    private long committedAfterTrim;
    private boolean followUp;

    /** This JVM's heap, its committed size and {@link System#gc} as its full collection. */
    HeapTrim(LongSupplier requests, LongSupplier queries) {
        this(requests, queries, Runtime.getRuntime()::totalMemory, System::gc);
    }

    HeapTrim(LongSupplier requests, LongSupplier queries, LongSupplier committed, Runnable collect) {
        this.requests = requests;
        this.queries = queries;
        this.committed = committed;
        this.collect = collect;
        this.requestsAtLastCheck = requests.getAsLong();
        this.queriesAtLastCheck = queries.getAsLong();
        this.committedAfterTrim = committed.getAsLong();
    }

    /** Called from one thread at a time, every {@link #EVERY}; trims on that thread when it is time. */
    void check() {
        long answered = requests.getAsLong();
        long asked = queries.getAsLong();
        quietChecks = answered - requestsAtLastCheck <= QUIET && asked == queriesAtLastCheck ? quietChecks + 1 : 0;
        requestsAtLastCheck = answered;
        queriesAtLastCheck = asked;
        boolean grown = committed.getAsLong() - committedAfterTrim >= GROWTH;
        if (grown && quietChecks >= QUIET_CHECKS || followUp && quietChecks >= FOLLOW_UP_CHECKS) {
            for (int step = 0; step < COLLECTIONS; step++) {
                collect.run();
            }
            committedAfterTrim = committed.getAsLong();
            followUp = grown;
            quietChecks = 0; // quiet since this trim, from now on
        }
    }
}
