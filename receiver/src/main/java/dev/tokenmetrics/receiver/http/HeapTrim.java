package dev.tokenmetrics.receiver.http;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Gives the heap back to the system once the daemon is quiet after it grew. The launcher's serial collector resizes
 * its old generation only in a full collection, and a quiet daemon hardly ever runs one: after a burst of exports
 * or a large report the heap would stay at its peak for hours (after the receiver bench's loads, an old generation
 * of 8.5 MB of which 5 MB live; after a year's session reports, 110 MiB resident).
 *
 * <p>Checked every {@link #EVERY}. Quiet is at most {@link #QUIET} requests since the check before (Claude Code sends
 * a few every ten seconds, a load thousands; the dashboard polls every 5 s), no query of the dashboard's API being
 * answered and no large answer (a report's) sent: reports run back to back, a script's or a benchmark's, would
 * otherwise pay for the collections and for the heap's growing again, every time. After {@link #QUIET_CHECKS}
 * quiet checks in a row (a minute: a heap trimmed just before a load grows again through full collections, some
 * milliseconds each, which a load after a shorter pause would see in its latency), when the heap has grown by
 * {@link #GROWTH} since the last trim, four full collections: a serial collector shrinks in steps, 0, 10, 40 then
 * 100 % of what is free beyond MaxHeapFreeRatio (10 % in the launcher), some milliseconds each for a heap this
 * small. What the requests left behind may still be in use then (the ledger's writer catching up, its buffers kept
 * for 10 s idle), so a trim for growth is followed by one more after {@link #FOLLOW_UP_CHECKS} quiet checks since it.
 */
final class HeapTrim {

    static final Duration EVERY = Duration.ofSeconds(5);
    static final long QUIET = 25;
    static final int QUIET_CHECKS = 12;
    static final int FOLLOW_UP_CHECKS = 12;
    static final long GROWTH = 1 << 20;
    static final int COLLECTIONS = 4;

    private final LongSupplier requests;
    private final LongSupplier largeAnswers;
    private final BooleanSupplier answering;
    private final LongSupplier committed;
    private final Runnable collect;
    private long requestsAtLastCheck;
    private long largeAnswersAtLastCheck;
    private int quietChecks;
    private long committedAfterTrim;
    private boolean followUp;

    /** This JVM's heap, its committed size and {@link System#gc} as its full collection. */
    HeapTrim(LongSupplier requests, LongSupplier largeAnswers, BooleanSupplier answering) {
        this(requests, largeAnswers, answering, Runtime.getRuntime()::totalMemory, System::gc);
    }

    HeapTrim(LongSupplier requests, LongSupplier largeAnswers, BooleanSupplier answering, LongSupplier committed,
             Runnable collect) {
        this.requests = requests;
        this.largeAnswers = largeAnswers;
        this.answering = answering;
        this.committed = committed;
        this.collect = collect;
        this.requestsAtLastCheck = requests.getAsLong();
        this.largeAnswersAtLastCheck = largeAnswers.getAsLong();
        this.committedAfterTrim = committed.getAsLong();
    }

    /** Called from one thread at a time, every {@link #EVERY}; trims on that thread when it is time. */
    void check() {
        long answered = requests.getAsLong();
        long large = largeAnswers.getAsLong();
        boolean quiet = answered - requestsAtLastCheck <= QUIET && large == largeAnswersAtLastCheck
                && !answering.getAsBoolean();
        quietChecks = quiet ? quietChecks + 1 : 0;
        requestsAtLastCheck = answered;
        largeAnswersAtLastCheck = large;
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
