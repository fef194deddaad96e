package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.http.Health;
import dev.tokenmetrics.receiver.http.ReceiverServer;
import dev.tokenmetrics.receiver.store.MetricsFile;
import dev.tokenmetrics.receiver.store.MetricsFilePublisher;
import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.store.UsageStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The running receiver: store, metrics file and server, started in that order and stopped in reverse, so that
 * nothing acknowledged is lost on the way down. Holds a lock on its state directory for its whole life: two
 * daemons never share a journal.
 */
final class Daemon implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
    /** Claude Code exports every 5 to 60 s; a session silent for longer than this has ended or is idle. */
    static final Duration ACTIVE_WINDOW = Duration.ofSeconds(60);

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final UsageStore store;
    private final MetricsFilePublisher publisher;
    private final ReceiverServer server;
    private final Path pidFile;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Daemon(FileChannel lockChannel, FileLock lock, UsageStore store,
                   MetricsFilePublisher publisher, ReceiverServer server, Path pidFile) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.store = store;
        this.publisher = publisher;
        this.server = server;
        this.pidFile = pidFile;
    }

    /** Thrown when the state directory is locked by another live daemon. */
    static final class StateDirInUse extends IOException {
        StateDirInUse(Path stateDir) {
            super("another receiver is using " + stateDir);
        }
    }

    static Daemon start(ReceiverConfig config, Clock clock) throws IOException {
        Files.createDirectories(config.stateDir());
        FileChannel lockChannel = FileChannel.open(config.stateDir().resolve("receiver.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new StateDirInUse(config.stateDir());
        }
        UsageStore store = null;
        MetricsFilePublisher publisher = null;
        try {
            long startedNanos = System.nanoTime();
            var problems = new Problems();
            publisher = new MetricsFilePublisher(new MetricsFile(config.metricsFile()), problems);
            store = UsageStore.open(config.stateDir(), clock, publisher::changed, problems);
            UsageStore openedStore = store;
            publisher.start(openedStore::report);
            var address = new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port());
            ReceiverServer server = ReceiverServer.start(address, config.limits(), new UsageExportConsumer(store),
                    excludedLaunch -> new Health(version(), ProcessHandle.current().pid(),
                            (System.nanoTime() - startedNanos) / 1_000_000_000L, openedStore.sessionCount(),
                            openedStore.activeSessions(clock.instant().minus(ACTIVE_WINDOW),
                                    resource -> excludedLaunch != null
                                            && excludedLaunch.equals(resource.get(Health.LAUNCH_ATTRIBUTE))),
                            config.metricsFile().toString(), problems.current()));
            Path pidFile = config.stateDir().resolve("receiver.pid");
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            return new Daemon(lockChannel, lock, store, publisher, server, pidFile);
        } catch (IOException | RuntimeException e) {
            if (publisher != null) {
                publisher.close();
            }
            if (store != null) {
                store.close();
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
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
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warning("cleanup: " + e);
        }
        LOG.info("stopped");
    }
}
