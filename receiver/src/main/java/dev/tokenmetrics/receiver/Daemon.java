package dev.tokenmetrics.receiver;

import dev.tokenmetrics.query.DashboardApi;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.Usage;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.forward.ForwardConfig;
import dev.tokenmetrics.receiver.forward.ForwardStats;
import dev.tokenmetrics.receiver.forward.Forwarder;
import dev.tokenmetrics.receiver.http.ExportConsumer;
import dev.tokenmetrics.receiver.http.ExportCounts;
import dev.tokenmetrics.receiver.http.Health;
import dev.tokenmetrics.receiver.http.ReceiverServer;
import dev.tokenmetrics.receiver.ledger.LazyLedgerReader;
import dev.tokenmetrics.receiver.ledger.Ledger;
import dev.tokenmetrics.receiver.ledger.LedgerReader;
import dev.tokenmetrics.receiver.ledger.LedgerWriter;
import dev.tokenmetrics.receiver.prometheus.ReceiverMetrics;
import dev.tokenmetrics.receiver.publish.BlockReport;
import dev.tokenmetrics.receiver.publish.LedgerFilledReports;
import dev.tokenmetrics.receiver.publish.MetricsFile;
import dev.tokenmetrics.receiver.publish.MetricsFilePublisher;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.store.UsageStore;
import dev.tokenmetrics.receiver.transcripts.TranscriptReader;
import dev.tokenmetrics.receiver.transcripts.TranscriptScanner;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The running receiver: the store, its outputs (the metrics file, the ledger) and the server, started in that order.
 * On the way down the server stops accepting, the store makes everything queued durable and tells its outputs, the
 * outputs finish, and the server closes: nothing acknowledged is lost. Holds its {@link DaemonLocks} for its whole
 * life: two daemons never share a journal or a metrics file.
 */
final class Daemon implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
    /** Claude Code exports every 5 to 60 s; a session silent for longer than this has ended or is idle. */
    static final Duration ACTIVE_WINDOW = Duration.ofSeconds(60);

    private final DaemonLocks locks;
    private final UsageStore store;
    private final List<AutoCloseable> outputs; // closed after the store, in reverse
    private final MetricsFilePublisher publisher;
    private final LedgerWriter ledger;
    private final ReceiverServer server;
    private final Path pidFile;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Daemon(DaemonLocks locks, UsageStore store, List<AutoCloseable> outputs, MetricsFilePublisher publisher,
                   LedgerWriter ledger, ReceiverServer server, Path pidFile) {
        this.ledger = ledger;
        this.locks = locks;
        this.store = store;
        this.outputs = outputs;
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
        var outputs = new ArrayList<AutoCloseable>();
        try {
            // Outputs plug into the store as listeners of its commits.
            Path database = config.stateDir().resolve("usage.db");
            LedgerWriter ledger = startLedger(database,
                    new TranscriptScanner(config.transcripts(), new TranscriptReader()), store, problems);
            outputs.add(ledger);
            var ledgerReader = new LazyLedgerReader(database, ledger::isOpen, problems);
            outputs.add(ledgerReader);
            // The metrics file's sessions, filled from the ledger where it knows more than telemetry delivered.
            Supplier<UsageReport> reports = new LedgerFilledReports(store::report,
                    ids -> ledgerReader.get().map(reader -> sessionTotals(reader, ids)).orElse(Map.of()),
                    clock.getZone());
            var publisher = new MetricsFilePublisher(new MetricsFile(config.metricsFile()), reports,
                    now -> ledgerReader.get().flatMap(reader -> currentBlock(reader, now)), problems);
            store.addListener(publisher);
            outputs.add(publisher); // closed first: its last write still reads the ledger
            Optional<Forwarder> forwarder = openForwarder(config, problems, clock);
            forwarder.ifPresent(outputs::add); // closed after the store: its last commits are queued
            Supplier<ForwardStats> forwarding = () -> forwarder.map(Forwarder::stats).orElse(null);
            ExportConsumer consumer = new UsageExportConsumer(store, clock);
            if (forwarder.isPresent()) {
                var forwardingConsumer = new ForwardingConsumer(consumer, forwarder.get());
                store.addListener(forwardingConsumer); // where each commit group ends: its exports queued at once
                consumer = forwardingConsumer;
            }
            var exports = new ExportCounts();
            Instant startedAt = clock.instant();
            var prometheus = new ReceiverMetrics(ledgerReader::get, exports, () -> new ReceiverMetrics.Health(version(),
                    startedAt, store.commits(), store.fsyncTimes().snapshot(), problems.current().size(),
                    store.activeSessions(clock.instant().minus(ACTIVE_WINDOW), resource -> false),
                    Math.max(0, store.commits() - ledger.written()),
                    forwarding.get()),
                    clock, ZoneId.systemDefault(), config.dailyBudgetUsd());
            var address = new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port());
            ReceiverServer server = ReceiverServer.start(address, config.limits(), consumer,
                    excludedLaunch -> new Health(version(), ProcessHandle.current().pid(),
                            (System.nanoTime() - startedNanos) / 1_000_000_000L, store.sessionCount(),
                            store.activeSessions(clock.instant().minus(ACTIVE_WINDOW),
                                    resource -> excludedLaunch != null
                                            && excludedLaunch.equals(resource.get(Health.LAUNCH_ATTRIBUTE))),
                            config.metricsFile().toString(), problems.current(), forwarding.get()),
                    prometheus, exports, new DashboardApi(database, clock, ZoneId.systemDefault(),
                            config.dailyBudgetUsd() > 0 ? BigDecimal.valueOf(config.dailyBudgetUsd()) : null));
            Path pidFile = config.stateDir().resolve("receiver.pid");
            AtomicFiles.write(pidFile, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII),
                    AtomicFiles.Durability.REPLACED);
            return new Daemon(locks, store, outputs, publisher, ledger, server, pidFile);
        } catch (IOException | RuntimeException e) {
            store.close();
            closeAll(outputs);
            locks.close();
            throw e;
        }
    }

    /**
     * Starts forwarding when it is configured. A mistake in its settings, or a queue that cannot be opened, is one
     * line in the log and a problem in /health; the receiver works locally all the same.
     */
    private static Optional<Forwarder> openForwarder(ReceiverConfig config, Problems problems, Clock clock) {
        if (!config.forward().enabled()) {
            return Optional.empty();
        }
        ForwardConfig forward;
        try {
            forward = ForwardConfig.of(config.forward(), ForwardConfig.defaultAttributes(System.getenv()));
        } catch (IllegalArgumentException e) {
            problems.report("forwarding", e.getMessage() + "; not forwarding");
            LOG.severe("forwarding: " + e.getMessage() + "; not forwarding (the receiver works locally)");
            return Optional.empty();
        }
        try {
            Forwarder forwarder = Forwarder.start(forward, config.stateDir().resolve("forward"), version(), clock);
            LOG.info("forwarding to " + forward.describeEndpoints() + " (headers " + forward.headers()
                    + ", attributes " + forward.resourceAttributes().keySet() + ", queue up to "
                    + forward.queueMaxBytes() + " bytes)");
            return Optional.of(forwarder);
        } catch (IOException e) {
            problems.report("forwarding", "cannot open its queue: " + e.getMessage() + "; not forwarding");
            LOG.severe("forwarding: cannot open its queue: " + e.getMessage() + "; not forwarding");
            return Optional.empty();
        }
    }

    /**
     * Starts the usage ledger's writer, which opens (and migrates) the ledger on its own thread, so the receiver
     * listens meanwhile, then catches it up with the journal and the transcripts. A ledger that cannot be opened
     * (locked, corrupt, no space) never stops the receiver: it is reported in /health and tried again.
     */
    private static LedgerWriter startLedger(Path database, TranscriptScanner transcripts, UsageStore store,
                                            Problems problems) {
        var writer = new LedgerWriter(() -> Ledger.open(database), store::report, transcripts, problems);
        try {
            store.replayJournal(writer); // what the last run may not have written
        } catch (IOException e) {
            problems.report("ledger", "could not replay the journal into it: " + e.getMessage());
        }
        store.addListener(writer);
        return writer;
    }

    private static Map<String, Usage> sessionTotals(LedgerReader reader, Collection<String> ids) {
        try {
            var totals = new HashMap<String, Usage>();
            reader.sessions(ids).forEach((id, total) -> totals.put(id, LedgerFilledReports.usage(total.input(),
                    total.output(), total.cacheRead(), total.cacheCreation(), total.costUsd())));
            return totals;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The machine's active 5-hour block at {@code now}, from the ledger (docs/METRICS-FILE.md, {@code block}). */
    private static Optional<BlockReport> currentBlock(LedgerReader reader, Instant now) {
        try {
            return reader.block(now.toEpochMilli()).map(block -> BlockReport.at(now,
                    Instant.ofEpochMilli(block.startMillis()), Instant.ofEpochMilli(block.endMillis()),
                    Instant.ofEpochMilli(block.firstMillis()), Instant.ofEpochMilli(block.lastMillis()),
                    new TokenCounts(block.input(), block.output(), block.cacheRead(), block.cacheCreation()),
                    block.costUsd()));
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static void closeAll(List<AutoCloseable> outputs) {
        for (int i = outputs.size() - 1; i >= 0; i--) {
            try {
                outputs.get(i).close();
            } catch (Exception e) {
                LOG.warning("closing an output: " + e);
            }
        }
    }

    /**
     * Whether the metrics file, as last written, and the ledger cover every commit so far: a positive signal tests
     * wait for.
     */
    boolean published() {
        long commits = store.commits();
        return publisher.published() >= commits && ledger.written() >= commits;
    }

    /** Whether the ledger is open (it is opened on its writer's thread, after the receiver listens). */
    boolean ledgerOpen() {
        return ledger.isOpen();
    }

    /** Imports what Claude Code's transcripts gained, now; false while the ledger is not open or when it did not finish. */
    boolean importTranscripts() {
        return ledger.importTranscriptsNow(Duration.ofSeconds(30));
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
        closeAll(outputs);
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
