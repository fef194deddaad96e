package dev.tokenmetrics.receiver.publish;

import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.store.Commit;
import dev.tokenmetrics.receiver.store.CommitListener;
import dev.tokenmetrics.receiver.store.Problems;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Keeps the metrics file current: an output, told of each commit that changed the totals; a write follows within
 * {@link #COALESCE}, however many commits arrive meanwhile, and a heartbeat rewrites it every {@link #HEARTBEAT} so
 * its timestamp proves the daemon lives.
 */
public final class MetricsFilePublisher implements CommitListener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricsFilePublisher.class.getName());
    static final Duration COALESCE = Duration.ofMillis(200);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final MetricsFile file;
    private final Supplier<UsageReport> reports;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "metrics-file");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    private final Problems problems;

    /** Writes what {@code reports} supplies, now and from then on. */
    public MetricsFilePublisher(MetricsFile file, Supplier<UsageReport> reports, Problems problems) {
        this.file = file;
        this.reports = reports;
        this.problems = problems;
        scheduler.scheduleWithFixedDelay(this::write, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a write soon when the commit changed the totals; commits during the coalescing delay share it. */
    @Override
    public void committed(Commit commit) {
        if (commit.changed() > 0 && writeScheduled.compareAndSet(false, true)) {
            scheduler.schedule(() -> {
                writeScheduled.set(false);
                write();
            }, COALESCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void write() {
        try {
            file.write(reports.get());
            if (problems.clear("metrics file")) {
                LOG.info("writing " + file.path() + " again");
            }
        } catch (IOException | RuntimeException e) {
            if (problems.report("metrics file", "cannot write " + file.path() + " (" + e + ")")) {
                LOG.warning("cannot write " + file.path() + ": " + e); // once per distinct failure
            }
        }
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
