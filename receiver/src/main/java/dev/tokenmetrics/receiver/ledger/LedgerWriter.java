package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.store.Commit;
import dev.tokenmetrics.receiver.store.CommitListener;
import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Feeds the ledger from the store's commits, on a thread of its own so that exports never wait for SQLite. What it
 * has not written yet is still in the journal, and the store asks it to make everything durable before recycling a
 * segment ({@link #awaitDurable}); writing is idempotent, so the journal replayed after a crash is simply written
 * again. When the ledger cannot be written (locked, corrupt, a full disk) the receiver goes on counting: the failure
 * is logged and shown in /health, and the writer retries, holding at most {@link #MAX_WAITING} commits meanwhile.
 */
public final class LedgerWriter implements CommitListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LedgerWriter.class.getName());
    static final int MAX_WAITING = 100_000;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private sealed interface Work permits Write, Sync, Stop {
    }

    private record Write(Commit commit) implements Work {
    }

    private record Sync(long sequence, CompletableFuture<Boolean> done) implements Work {
    }

    private record Stop() implements Work {
    }

    private final Ledger ledger;
    private final Function<UsageBatch, List<LedgerRow>> rows;
    private final Problems problems;
    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile long written; // the latest commit whose rows are in the ledger

    /** Writes the rows of each batch's api_request events (see {@link LedgerRows}). */
    public LedgerWriter(Ledger ledger, Problems problems) {
        this(ledger, LedgerRows::of, problems);
    }

    LedgerWriter(Ledger ledger, Function<UsageBatch, List<LedgerRow>> rows, Problems problems) {
        this.ledger = ledger;
        this.rows = rows;
        this.problems = problems;
        this.thread = new Thread(this::run, "ledger-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void committed(Commit commit) {
        if (queue.size() >= MAX_WAITING) {
            // The ledger has been failing for a long while: drop rather than grow without bound. The requests stay
            // in Claude Code's transcripts, from which the ledger fills its gaps.
            if (problems.report("ledger backlog", "more than " + MAX_WAITING + " commits waiting; newer ones are"
                    + " dropped from the ledger until it can be written")) {
                LOG.severe("ledger: backlog full, dropping commits from the ledger");
            }
            return;
        }
        queue.add(new Write(commit));
    }

    /** The latest commit whose requests are in the ledger. */
    public long written() {
        return written;
    }

    @Override
    public boolean awaitDurable(long sequence, Duration timeout) {
        var done = new CompletableFuture<Boolean>();
        queue.add(new Sync(sequence, done));
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
        var batch = new ArrayList<Commit>(); // commits not yet in the ledger, oldest first
        while (true) {
            Work work;
            try {
                work = batch.isEmpty() ? queue.take() : queue.poll(RETRY_AFTER.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (work == null) { // the last write failed: try again
                write(batch);
            } else if (work instanceof Stop) {
                write(batch);
                return;
            } else if (work instanceof Sync sync) {
                sync.done().complete(write(batch) && written >= sync.sequence() && sync());
            } else {
                batch.add(((Write) work).commit());
                while (queue.peek() instanceof Write next) { // what queued meanwhile: the same transaction
                    queue.poll();
                    batch.add(next.commit());
                }
                write(batch);
            }
        }
    }

    /** Writes the commits' rows in one transaction; true, and the list emptied, when they are in the ledger. */
    private boolean write(List<Commit> commits) {
        if (commits.isEmpty()) {
            return true;
        }
        var all = new ArrayList<LedgerRow>();
        for (Commit commit : commits) {
            for (UsageBatch batch : commit.batches()) {
                all.addAll(rows.apply(batch));
            }
        }
        try {
            if (!all.isEmpty()) {
                ledger.record(all);
            }
        } catch (IOException | RuntimeException e) {
            if (problems.report("ledger", "cannot write usage.db (" + e.getMessage() + "); retrying, exports are"
                    + " still counted")) {
                LOG.severe("ledger: " + e.getMessage());
            }
            return false;
        }
        long last = commits.get(commits.size() - 1).sequence();
        written = Math.max(written, last);
        commits.clear();
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
        ledger.close();
    }
}
