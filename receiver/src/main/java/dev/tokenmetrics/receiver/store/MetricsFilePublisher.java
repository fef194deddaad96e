package dev.tokenmetrics.receiver.store;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;
import dev.tokenmetrics.receiver.aggregate.UsageReport;

/**
 * Keeps the metrics file current: a write follows a change within {@link #COALESCE}, however many changes
 * arrive meanwhile, and a heartbeat rewrites it every {@link #HEARTBEAT} so its timestamp proves the daemon lives.
 */
public final class MetricsFilePublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricsFilePublisher.class.getName());
    static final Duration COALESCE = Duration.ofMillis(200);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final MetricsFile file;
    private volatile Supplier<UsageReport> reports = () -> null; // until start(): nothing to write yet
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "metrics-file");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    private final Problems problems;

    public MetricsFilePublisher(MetricsFile file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /** Starts writing what {@code reports} supplies; the store it comes from is opened after this publisher. */
    public void start(Supplier<UsageReport> reports) {
        this.reports = reports;
        scheduler.scheduleWithFixedDelay(this::write, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a write soon; calls during the coalescing delay share it. */
    public void changed() {
        if (writeScheduled.compareAndSet(false, true)) {
            scheduler.schedule(() -> {
                writeScheduled.set(false);
                write();
            }, COALESCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void write() {
        UsageReport report = reports.get();
        if (report == null) {
            return;
        }
        try {
            file.write(report);
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
