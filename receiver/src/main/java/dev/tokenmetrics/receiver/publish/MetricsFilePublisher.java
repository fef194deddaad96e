package dev.tokenmetrics.receiver.publish;

import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.store.Commit;
import dev.tokenmetrics.receiver.store.CommitListener;
import dev.tokenmetrics.receiver.store.Problems;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Keeps the metrics file current: an output, told of each commit; a write follows within
 * {@link #COALESCE}, however many commits arrive meanwhile, and a heartbeat rewrites it every {@link #HEARTBEAT} so
 * its timestamp proves the daemon lives. The statusline's {@link LiveFile} is written right after it, from the same
 * report, so the two never disagree.
 */
public final class MetricsFilePublisher implements CommitListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricsFilePublisher.class.getName());
    static final Duration COALESCE = Duration.ofMillis(200);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final MetricsFile file;
    private final LiveFile live;
    private final Supplier<UsageReport> reports;
    private final Function<Instant, Optional<BlockReport>> blocks;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "metrics-file");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    private volatile long heard; // the latest commit heard of
    private volatile long published; // the latest commit the file written last covers
    private final Problems problems;

    /** Writes what {@code reports} supplies, now and from then on, to the file and the live file beside it. */
    public MetricsFilePublisher(MetricsFile file, Supplier<UsageReport> reports, Problems problems) {
        this(file, reports, now -> Optional.empty(), problems);
    }

    /**
     * {@code blocks}: the machine's active 5-hour block at the report's instant (the ledger's), empty when none is
     * active; it may throw, and then the files have no block.
     */
    public MetricsFilePublisher(MetricsFile file, Supplier<UsageReport> reports,
                                Function<Instant, Optional<BlockReport>> blocks, Problems problems) {
        this.file = file;
        this.blocks = blocks;
        this.live = new LiveFile(LiveFile.besideMetricsFile(file.path()));
        this.reports = reports;
        this.problems = problems;
        scheduler.scheduleWithFixedDelay(this::write, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for a write soon; commits during the coalescing delay share it. A commit that changed nothing (a retry)
     * asks too, so that {@link #published} simply follows the commits.
     */
    @Override
    public void committed(Commit commit) {
        heard = commit.sequence();
        if (writeScheduled.compareAndSet(false, true)) {
            scheduler.schedule(() -> {
                writeScheduled.set(false);
                write();
            }, COALESCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void write() {
        try {
            long covered = heard; // read before the report, which therefore includes that commit
            UsageReport report = reports.get();
            BlockReport block = block(report.generatedAt());
            file.write(report, block);
            if (problems.clear("metrics file")) {
                LOG.info("writing " + file.path() + " again");
            }
            writeLive(report, block); // only after the metrics file, so never newer than it; before published moves on
            published = Math.max(published, covered);
        } catch (IOException | RuntimeException e) {
            if (problems.report("metrics file", "cannot write " + file.path() + " (" + e + ")")) {
                LOG.warning("cannot write " + file.path() + ": " + e); // once per distinct failure
            }
        }
    }

    private BlockReport block(Instant now) {
        try {
            return blocks.apply(now).orElse(null);
        } catch (RuntimeException e) { // the ledger's trouble is /health's to report: the files go without a block
            LOG.fine("the current 5-hour block is not available: " + e);
            return null;
        }
    }

    private void writeLive(UsageReport report, BlockReport block) {
        try {
            live.write(report, block);
            if (problems.clear("live file")) {
                LOG.info("writing " + live.path() + " again");
            }
        } catch (IOException | RuntimeException e) {
            if (problems.report("live file", "cannot write " + live.path() + " (" + e + ")")) {
                LOG.warning("cannot write " + live.path() + ": " + e);
            }
        }
    }

    /** The latest commit that the file, as last written, covers (see {@link Commit#sequence}). */
    public long published() {
        return published;
    }

    /** Writes a final time and stops. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        write();
    }
}
