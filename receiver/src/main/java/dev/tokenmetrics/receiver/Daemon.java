package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.http.Health;
import dev.tokenmetrics.receiver.http.ReceiverServer;
import dev.tokenmetrics.receiver.publish.MetricsFile;
import dev.tokenmetrics.receiver.publish.MetricsFilePublisher;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.store.UsageStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The running receiver: store, metrics file and server, started in that order and stopped in reverse, so that
 * nothing acknowledged is lost on the way down. Holds its {@link DaemonLocks} for its whole life: two daemons
 * never share a journal or a metrics file.
 */
final class Daemon implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
    /** Claude Code exports every 5 to 60 s; a session silent for longer than this has ended or is idle. */
    static final Duration ACTIVE_WINDOW = Duration.ofSeconds(60);

    private final DaemonLocks locks;
    private final UsageStore store;
    private final MetricsFilePublisher publisher;
    private final ReceiverServer server;
    private final Path pidFile;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Daemon(DaemonLocks locks, UsageStore store, MetricsFilePublisher publisher, ReceiverServer server,
                   Path pidFile) {
        this.locks = locks;
        this.store = store;
        this.publisher = publisher;
        this.server = server;
        this.pidFile = pidFile;
    }

    static Daemon start(ReceiverConfig config, Clock clock) throws IOException {
        long startedNanos = System.nanoTime();
        Files.createDirectories(config.stateDir());
        DaemonLocks locks = DaemonLocks.acquire(config.stateDir(), config.metricsFile());
        var problems = new Problems();
        UsageStore store;
        try {
            store = UsageStore.open(config.stateDir(), clock, problems);
        } catch (IOException | RuntimeException e) {
            locks.close();
            throw e;
        }
        // Outputs plug into the store as listeners of its commits.
        var publisher = new MetricsFilePublisher(new MetricsFile(config.metricsFile()), store::report, problems);
        store.addListener(publisher);
        try {
            var address = new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port());
            ReceiverServer server = ReceiverServer.start(address, config.limits(), new UsageExportConsumer(store, clock),
                    excludedLaunch -> new Health(version(), ProcessHandle.current().pid(),
                            (System.nanoTime() - startedNanos) / 1_000_000_000L, store.sessionCount(),
                            store.activeSessions(clock.instant().minus(ACTIVE_WINDOW),
                                    resource -> excludedLaunch != null
                                            && excludedLaunch.equals(resource.get(Health.LAUNCH_ATTRIBUTE))),
                            config.metricsFile().toString(), problems.current()));
            Path pidFile = config.stateDir().resolve("receiver.pid");
            AtomicFiles.write(pidFile, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII),
                    false);
            return new Daemon(locks, store, publisher, server, pidFile);
        } catch (IOException | RuntimeException e) {
            publisher.close();
            store.close();
            locks.close();
            throw e;
        }
    }

    /** Whether the metrics file, as last written, covers every commit so far: a positive signal tests wait for. */
    boolean published() {
        return publisher.published() >= store.commits();
    }

    /** Group commits so far: unchanged means nothing was recorded. */
    long commits() {
        return store.commits();
    }

    int port() {
        return server.port();
    }

    static String version() {
        String version = Daemon.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    /** Stops accepting, lets answered exports finish, makes everything durable and writes the file a last time. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stopAccepting();
        try {
            store.close();
        } catch (IOException e) {
            LOG.severe("could not write the final snapshot: " + e);
        }
        publisher.close();
        server.close();
        try {
            String pid = Files.readString(pidFile).trim();
            if (pid.equals(Long.toString(ProcessHandle.current().pid()))) {
                Files.deleteIfExists(pidFile);
            }
            locks.close();
        } catch (IOException e) {
            LOG.warning("cleanup: " + e);
        }
        LOG.info("stopped");
    }
}
