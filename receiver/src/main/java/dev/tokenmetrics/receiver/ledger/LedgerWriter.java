package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.Prices;
import dev.tokenmetrics.receiver.store.Commit;
import dev.tokenmetrics.receiver.store.CommitListener;
import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.transcripts.ScanResult;
import dev.tokenmetrics.receiver.transcripts.ScanState;
import dev.tokenmetrics.receiver.transcripts.TranscriptScanner;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Feeds the ledger from the store's commits, and from Claude Code's transcripts at start and every
 * {@link #IMPORT_EVERY} (what telemetry did not see: outages, sessions run with tracking off, history from before the
 * receiver was installed), on a thread of its own so that exports never wait for SQLite. What it
 * has not written yet is still in the journal, and the store asks it to make everything durable before recycling a
 * segment ({@link #awaitDurable}); writing is idempotent, so the journal replayed after a crash is simply written
 * again. When the ledger cannot be opened or written (locked, corrupt, a full disk) the receiver goes on counting:
 * the failure is logged and shown in /health, and the writer retries, holding at most {@link #MAX_WAITING} commits
 * meanwhile. It opens the ledger on its own thread too: the first start after an upgrade migrates the schema, which
 * takes tens of seconds on a year of history, while the receiver already listens.
 */
public final class LedgerWriter implements CommitListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LedgerWriter.class.getName());
    static final int MAX_WAITING = 100_000;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    /**
     * A commit's rows wait at least this long for the commits after it, to share their transaction: under load a
     * transaction's fixed cost (reconciliation, the commit) is then paid once for many rows rather than for each.
     * The journal, not the ledger, is what acknowledgements wait for.
     */
    static final Duration LINGER = Duration.ofMillis(50);
    /**
     * And at most this many transactions of rows a second while rows keep coming (a request seen alone after a pause
     * is written after {@link #LINGER}): under a flood the fixed cost is paid four times a second. What reads the
     * ledger's newest rows, the metrics file's sessions (the statusline's), is then at most this much later.
     */
    static final Duration TRANSACTION_EVERY = Duration.ofMillis(250);
    static final Duration IMPORT_EVERY = Duration.ofSeconds(60);
    static final Duration METRICS_EVERY = Duration.ofSeconds(1);
    /** Idle this long after work, SQLite's page cache is handed back: an all-day daemon is mostly idle. */
    private static final Duration RELEASE_AFTER = Duration.ofSeconds(10);

    private sealed interface Work permits Write, Sync, Import, Stop, Metrics {
    }

    /** Metric points are held: queued when the first of them is, to wake the writer once. */
    private record Metrics() implements Work {
    }

    private record Import(CompletableFuture<Boolean> done) implements Work {
    }

    /** Rows are held: queued when the first of them is, to wake the writer once. */
    private record Write() implements Work {
    }

    private record Sync(long sequence, CompletableFuture<Boolean> done) implements Work {
    }

    private record Stop() implements Work {
    }

    /** Opens the ledger, migrating it to the current schema (see {@link Ledger#open}). */
    @FunctionalInterface
    public interface Opener {
        Ledger open() throws IOException;
    }

    private final Opener opener;
    private volatile Ledger ledger; // the writer's once opened; null until then
    private LedgerPricing pricing; // the writer's, made once the ledger is open
    private final Function<UsageBatch, List<LedgerRow>> rows;
    private final Supplier<UsageReport> metrics; // the aggregator's report: its exact metric totals
    private final Problems problems;
    private final TranscriptScanner transcripts; // null: no transcript import
    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    // Commits that bring no API request (most: metrics exports) are not queued, so the writer's thread is not woken
    // for each; these say how far the ledger is nevertheless complete (see written()).
    private volatile long writtenThrough; // the writer's: the latest queued commit whose rows are in the ledger
    private volatile long lastQueued; // the committer's: the latest commit queued
    private volatile long lastSeen; // the committer's: the latest commit heard of, queued or not
    private volatile long lastDropped; // the committer's: the first commit dropped for the backlog, 0 if none
    // A commit's rows are held as bytes (see HeldRows) by the committer's thread, in `incoming`; the writer swaps it
    // with `writing` (empty) when it writes, so that both arrays live on and rows waiting allocate nothing that stays.
    private final Object rowsLock = new Object();
    private HeldRows incoming = new HeldRows(); // guarded by rowsLock
    private long incomingThrough; // guarded by rowsLock: the latest commit whose rows are in incoming
    private volatile int incomingCommits; // written under rowsLock: the commits in incoming
    private HeldRows writing = new HeldRows(); // the writer's: rows taken to write, kept until they are written
    private long writingThrough; // the writer's
    private volatile int writingCommits; // the writer's
    private boolean scheduled; // the writer's: rows wait, to be written at writeAt
    private long lastWrite; // the writer's, System.nanoTime(): when the last transaction of rows ended
    // Metric points are not written per commit: the sessions and models they touched are held (with their latest
    // point time) and their totals written at most every METRICS_EVERY, so that a flood of metrics exports costs
    // the ledger one transaction a second, not one per export.
    private final Object metricsLock = new Object();
    private Map<SessionModel, Long> heldMetrics = new HashMap<>(); // guarded by metricsLock
    private volatile long metricsHeldFrom = Long.MAX_VALUE; // the first commit held, MAX_VALUE when none
    private volatile long metricsWritingFrom = Long.MAX_VALUE; // the writer's: the first commit being written
    private long lastMetricsWrite; // the writer's, System.nanoTime()
    private boolean metricsDue; // the writer's: metrics are held, to be written once METRICS_EVERY has passed
    private long busySince; // the writer's: System.nanoTime() of the last work, 0 once its memory was released
    private long writeAt; // the writer's: System.nanoTime() when the commits waiting are to be written

    /**
     * Writes the rows of each batch's api_request events (see {@link LedgerRows}), what the metrics counted as the
     * {@code metrics} report's totals say (see {@link MetricTotals}), and imports the transcripts under
     * {@code transcripts}' root (see {@link TranscriptRows}), priced by the prices known then (see
     * {@link LedgerPricing}, which re-prices earlier rows before an import when they changed).
     */
    public LedgerWriter(Opener opener, Supplier<UsageReport> metrics, TranscriptScanner transcripts,
                        Problems problems) {
        this(opener, LedgerRows::of, metrics, transcripts, problems);
    }

    /** A writer of a ledger opened already. */
    public LedgerWriter(Ledger ledger, Supplier<UsageReport> metrics, TranscriptScanner transcripts,
                        Problems problems) {
        this(() -> ledger, LedgerRows::of, metrics, transcripts, problems);
    }

    LedgerWriter(Opener opener, Function<UsageBatch, List<LedgerRow>> rows, Supplier<UsageReport> metrics,
                 TranscriptScanner transcripts, Problems problems) {
        this.opener = opener;
        this.rows = rows;
        this.metrics = metrics;
        this.lastMetricsWrite = System.nanoTime() - METRICS_EVERY.toNanos(); // the first held metrics are due at once
        this.lastWrite = System.nanoTime() - TRANSACTION_EVERY.toNanos();
        this.transcripts = transcripts;
        this.problems = problems;
        this.thread = new Thread(this::run, "ledger-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void committed(Commit commit) {
        if (incomingCommits + writingCommits >= MAX_WAITING) {
            // The ledger has been failing for a long while: drop rather than grow without bound. The requests stay
            // in Claude Code's transcripts, from which the ledger fills its gaps.
            if (problems.report("ledger backlog", "more than " + MAX_WAITING + " commits waiting; newer ones are"
                    + " dropped from the ledger until it can be written")) {
                LOG.severe("ledger: backlog full, dropping commits from the ledger");
            }
            if (lastDropped == 0) {
                lastDropped = commit.sequence();
            }
            return;
        }
        if (commit.batches().stream().anyMatch(batch -> !batch.apiRequests().isEmpty())) {
            hold(commit);
            lastQueued = commit.sequence();
        }
        holdMetrics(commit);
        lastSeen = commit.sequence(); // after lastQueued: see written()
    }

    /** Whether the ledger is open (and so at the current schema): readers may open it from then on. */
    public boolean isOpen() {
        return ledger != null;
    }

    /** The latest commit whose requests and metric totals are in the ledger. */
    public long written() {
        long seen = lastSeen; // read first: every commit up to it that was queued or held is so by now
        long writtenNow = writtenThrough;
        long complete = writtenNow >= lastQueued ? Math.max(seen, writtenNow) : writtenNow;
        // Held before being written: read in that order, a batch moving from one to the other is seen in either.
        long metrics = Math.min(metricsHeldFrom, metricsWritingFrom);
        complete = metrics == Long.MAX_VALUE ? complete : Math.min(complete, metrics - 1);
        long dropped = lastDropped;
        return dropped > 0 ? Math.min(complete, dropped - 1) : complete; // never past what it dropped
    }

    /** On the committer's thread: holds the sessions and models the commit's metric points touched. */
    private void holdMetrics(Commit commit) {
        synchronized (metricsLock) {
            boolean wasEmpty = heldMetrics.isEmpty();
            boolean any = false;
            for (UsageBatch batch : commit.batches()) {
                any |= MetricTotals.touched(batch, heldMetrics);
            }
            if (any && wasEmpty) {
                metricsHeldFrom = commit.sequence();
                queue.add(new Metrics());
            }
        }
    }

    /**
     * Writes the held metric totals, when {@link #METRICS_EVERY} has passed since the last write or {@code now} says
     * so; otherwise they are due then. True when none are left held.
     */
    private boolean writeMetrics(boolean now) {
        if (!now && System.nanoTime() - lastMetricsWrite < METRICS_EVERY.toNanos()) {
            metricsDue = true;
            return false;
        }
        Map<SessionModel, Long> touched;
        long from;
        synchronized (metricsLock) {
            if (heldMetrics.isEmpty()) {
                metricsDue = false;
                return true;
            }
            touched = heldMetrics;
            from = metricsHeldFrom;
            metricsWritingFrom = from; // before the held ones are cleared: see written()
            heldMetrics = new HashMap<>();
            metricsHeldFrom = Long.MAX_VALUE;
        }
        lastMetricsWrite = System.nanoTime();
        metricsDue = false;
        try {
            ledger.record(List.of(), MetricTotals.of(touched, metrics.get()));
        } catch (IOException | RuntimeException e) {
            synchronized (metricsLock) { // held again, to be tried with the next ones
                touched.forEach((pair, time) -> heldMetrics.merge(pair, time, Math::max));
                metricsHeldFrom = Math.min(metricsHeldFrom, from);
            }
            metricsWritingFrom = Long.MAX_VALUE;
            metricsDue = true;
            if (problems.report("ledger metrics", "cannot write metric totals to usage.db (" + e.getMessage()
                    + "); retrying, exports are still counted")) {
                LOG.severe("ledger: metric totals: " + e.getMessage());
            }
            return false;
        }
        metricsWritingFrom = Long.MAX_VALUE;
        if (problems.clear("ledger metrics")) {
            LOG.info("ledger: writing metric totals again");
        }
        return true;
    }

    @Override
    public boolean awaitDurable(long sequence, Duration timeout) {
        long dropped = lastDropped;
        if (dropped > 0 && sequence >= dropped) {
            // The store recycles the segments all the same: what was dropped is gone from the journal, and the
            // ledger can only get it from the transcripts now. Start counting anew.
            lastDropped = 0;
            problems.clear("ledger backlog");
            return false;
        }
        var done = new CompletableFuture<Boolean>();
        queue.add(new Sync(sequence, done));
        return outcome(done, timeout);
    }

    /** Imports what the transcripts gained, now, and says whether it was done within the timeout. */
    public boolean importTranscriptsNow(Duration timeout) {
        var done = new CompletableFuture<Boolean>();
        queue.add(new Import(done));
        return outcome(done, timeout);
    }

    /** What the writer's thread answered, or false when it did not within the timeout. */
    private static boolean outcome(CompletableFuture<Boolean> done, Duration timeout) {
        try {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private void run() {
        if (!open()) {
            return; // stopped first
        }
        writeAt = System.nanoTime(); // what waited for the ledger to open: at once
        scheduled = incomingCommits > 0;
        long nextImport = System.nanoTime(); // at start: what happened while the receiver was not running
        while (true) {
            if (transcripts != null && System.nanoTime() - nextImport >= 0) {
                importTranscripts();
                nextImport = System.nanoTime() + IMPORT_EVERY.toNanos();
                busySince = System.nanoTime();
            }
            Work work;
            try {
                long wait = transcripts == null ? Long.MAX_VALUE : Math.max(0, nextImport - System.nanoTime());
                if (scheduled) {
                    wait = Math.min(wait, Math.max(0, writeAt - System.nanoTime()));
                }
                if (metricsDue) {
                    wait = Math.min(wait, Math.max(0, lastMetricsWrite + METRICS_EVERY.toNanos() - System.nanoTime()));
                }
                if (busySince != 0) {
                    wait = Math.min(wait, Math.max(0, busySince + RELEASE_AFTER.toNanos() - System.nanoTime()));
                }
                work = wait == Long.MAX_VALUE ? queue.take() : queue.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (work == null) { // time to import, to write what waits or held metrics, or idle
                if (scheduled && System.nanoTime() - writeAt >= 0) {
                    write();
                }
                if (metricsDue) {
                    writeMetrics(false);
                }
                if (busySince != 0 && System.nanoTime() - busySince >= RELEASE_AFTER.toNanos()) {
                    ledger.releaseMemory();
                    writing.release();
                    synchronized (rowsLock) {
                        incoming.release();
                    }
                    busySince = 0;
                }
                continue;
            }
            busySince = System.nanoTime(); // memory is handed back once idle for RELEASE_AFTER after this
            if (work instanceof Metrics) {
                writeMetrics(false);
            } else if (work instanceof Stop) {
                writeAll();
                writeMetrics(true);
                return;
            } else if (work instanceof Sync sync) {
                sync.done().complete(writeAll() && writeMetrics(true) && written() >= sync.sequence() && sync());
            } else if (work instanceof Import request) {
                request.done().complete(transcripts != null && importTranscripts());
            } else if (!scheduled) { // Write: rows are held
                schedule();
            }
        }
    }

    /**
     * Opens the ledger, trying again every {@link #RETRY_AFTER} while it cannot be. Meanwhile commits' rows are
     * held (bounded by {@link #MAX_WAITING}), metric points stay held, and syncs and imports are answered false.
     * False when told to stop first.
     */
    private boolean open() {
        while (true) {
            try {
                Ledger opened = opener.open();
                pricing = new LedgerPricing(opened, PriceTable.shipped());
                ledger = opened;
                if (problems.clear("ledger")) {
                    LOG.info("ledger: open");
                }
                return true;
            } catch (IOException | RuntimeException e) {
                if (problems.report("ledger", e.getMessage() + "; retrying, exports are still counted")) {
                    LOG.severe(e.getMessage() + "; retrying every " + RETRY_AFTER.toSeconds()
                            + " s, exports are still counted");
                }
            }
            long until = System.nanoTime() + RETRY_AFTER.toNanos();
            for (long wait = RETRY_AFTER.toNanos(); wait > 0; wait = until - System.nanoTime()) {
                Work work;
                try {
                    work = queue.poll(wait, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    return false;
                }
                if (work instanceof Stop) {
                    return false;
                } else if (work instanceof Sync sync) {
                    sync.done().complete(false);
                } else if (work instanceof Import request) {
                    request.done().complete(false);
                }
            }
        }
    }

    /**
     * Reads what the transcripts gained since the last scan into the ledger, then records where the scan got to: a
     * crash in between reads some of it again, which the keys make harmless.
     */
    private boolean importTranscripts() {
        try {
            String saved = ledger.transcriptScanState();
            ScanState previous = saved.isEmpty() ? ScanState.EMPTY : ScanState.decode(saved);
            Prices prices = pricing.update(); // re-prices earlier rows if the prices changed
            ScanResult result = transcripts.scan(previous, update -> {
                try {
                    List<LedgerRow> found = TranscriptRows.of(update.chunk(), prices);
                    if (update.replacesEarlierRows()) {
                        ledger.replaceTranscript(update.transcript().toString(), found);
                    } else if (!found.isEmpty()) {
                        ledger.record(found);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            ledger.saveTranscriptScanState(result.state().encode());
            if (problems.clear("transcripts")) {
                LOG.info("transcripts: importing again");
            }
            return true;
        } catch (IOException | RuntimeException e) {
            String reason = e instanceof UncheckedIOException unchecked ? unchecked.getCause().getMessage()
                    : e.getMessage();
            if (problems.report("transcripts", "cannot import Claude Code's transcripts (" + reason + ")")) {
                LOG.warning("transcripts: " + reason);
            }
            return false;
        }
    }

    /**
     * On the committer's thread: holds the commit's rows, as bytes (see {@link HeldRows}), so that the commit itself
     * is let go at once; wakes the writer when they are the first held.
     */
    private void hold(Commit commit) {
        synchronized (rowsLock) {
            try {
                for (UsageBatch batch : commit.batches()) {
                    incoming.add(rows.apply(batch));
                }
            } catch (RuntimeException e) { // a bug: rows are made from batches the journal accepted
                LOG.severe("ledger: cannot take the rows of commit " + commit.sequence() + ": " + e);
            }
            incomingThrough = commit.sequence();
            if (incomingCommits++ == 0) {
                queue.add(new Write());
            }
        }
    }

    /** Rows wait: written after {@link #LINGER}, and not sooner than {@link #TRANSACTION_EVERY} after the last. */
    private void schedule() {
        writeAt = Math.max(System.nanoTime() + LINGER.toNanos(), lastWrite + TRANSACTION_EVERY.toNanos());
        scheduled = true;
    }

    /** Writes every row held; true when they are in the ledger. */
    private boolean writeAll() {
        while (writingCommits > 0 || incomingCommits > 0) {
            if (!write()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the rows taken (those held until now, or those a failed write left) in one transaction; true, and
     * none of them left, when they are in the ledger. Rows held meanwhile are scheduled.
     */
    private boolean write() {
        if (writingCommits == 0) {
            synchronized (rowsLock) {
                HeldRows taken = incoming;
                incoming = writing;
                writing = taken;
                writingThrough = incomingThrough;
                writingCommits = incomingCommits;
                incomingCommits = 0;
            }
        }
        if (writingCommits == 0) {
            scheduled = false;
            return true;
        }
        try {
            if (!writing.isEmpty()) {
                ledger.record(writing.chunks());
                for (List<LedgerRow> chunk : writing.chunks()) { // learned from once written, as they were written
                    pricing.observe(chunk);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (problems.report("ledger", "cannot write usage.db (" + e.getMessage() + "); retrying, exports are"
                    + " still counted")) {
                LOG.severe("ledger: " + e.getMessage());
            }
            writeAt = System.nanoTime() + RETRY_AFTER.toNanos();
            return false;
        }
        writtenThrough = Math.max(writtenThrough, writingThrough);
        writing.clear();
        writingCommits = 0;
        lastWrite = System.nanoTime();
        scheduled = false;
        if (incomingCommits > 0) { // held while this was written: their wake-up may have come already
            schedule();
        }
        if (problems.clear("ledger")) {
            LOG.info("ledger: writing again");
        }
        return true;
    }

    private boolean sync() {
        try {
            ledger.sync();
            return true;
        } catch (IOException e) {
            problems.report("ledger", e.getMessage());
            return false;
        }
    }

    /** Writes what is queued, then stops and closes the ledger. */
    @Override
    public void close() throws IOException {
        queue.add(new Stop());
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) { // still importing: closing SQLite under it is worse than leaving it to the exit
            LOG.warning("ledger: the writer did not stop in time; left to the process's exit");
            return;
        }
        if (ledger != null) {
            ledger.close();
        }
    }
}
