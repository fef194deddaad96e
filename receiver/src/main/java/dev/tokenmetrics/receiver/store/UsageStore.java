package dev.tokenmetrics.receiver.store;

import dev.tokenmetrics.receiver.aggregate.AggregatorCodec;
import dev.tokenmetrics.receiver.aggregate.UsageAggregator;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The aggregates, made durable. A batch is applied in memory and appended to the journal; its future completes only
 * once the journal is forced to disk, so an export answered 2xx survives a crash. One committer thread forces
 * whatever batches have queued meanwhile with a single fsync (group commit).
 * <p>
 * The journal is a series of segments. When the current one grows past a limit the committer cuts: it captures the
 * state (which covers every segment so far), moves on to a new segment, and hands the snapshot to a background
 * writer, which recycles the covered segments once the snapshot is durable. Commits never wait for a snapshot.
 * Recovery loads the snapshot and replays the segments after the ones it covers.
 */
public final class UsageStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UsageStore.class.getName());
    private static final int SNAPSHOT_MAGIC = 0x54534E47; // "TSNG"
    private static final int SNAPSHOT_HEADER_BYTES = 20;
    static final long CUT_AFTER_BYTES = 8L * 1024 * 1024;
    private static final int MAX_SPARE_SEGMENTS = 2;

    private final Path directory;
    private final Path snapshotPath;
    private final Clock clock;
    private final Runnable onChange;
    private final UsageAggregator aggregator;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "snapshot-writer");
        thread.setDaemon(true);
        return thread;
    });
    /** Covered segment files waiting to be reused (see {@link Journal}): filled by the snapshot writer. */
    private final ConcurrentLinkedQueue<Path> spareSegments = new ConcurrentLinkedQueue<>();
    private Journal journal; // the committer's, once started
    /** The committer's: one buffer for every snapshot, so that a cut allocates nothing large while exports wait. */
    private final SnapshotBytes snapshotBytes = new SnapshotBytes(SNAPSHOT_HEADER_BYTES, 64 * 1024);
    private Future<?> snapshotInFlight; // the committer's
    private volatile boolean closing;

    private record Pending(byte[] record, int changed, CompletableFuture<Integer> durable) {
    }

    /**
     * Queued by close() behind every batch, to wake a committer that waits on an empty queue: it waits without a
     * timeout, so that an idle daemon does not wake ten times a second. Never written.
     */
    private static final Pending WAKE_UP = new Pending(null, 0, null);

    private UsageStore(Path directory, UsageAggregator aggregator, Journal journal, Clock clock, Runnable onChange) {
        this.directory = directory;
        this.snapshotPath = directory.resolve("state.bin");
        this.aggregator = aggregator;
        this.journal = journal;
        this.clock = clock;
        this.onChange = onChange;
        this.committer = new Thread(this::commitLoop, "journal-committer");
        this.committer.setDaemon(true);
    }

    /** Loads the snapshot, replays the journal segments after it, and starts a fresh segment. */
    public static UsageStore open(Path directory, Clock clock, Runnable onChange) throws IOException {
        Files.createDirectories(directory);
        Snapshot snapshot = readSnapshot(directory.resolve("state.bin"), clock);
        UsageAggregator aggregator = snapshot.aggregator();
        long lastSequence = snapshot.coveredSequence();
        int replayed = 0;
        var spares = new ArrayList<Path>(spares(directory));
        for (Path segment : segments(directory)) {
            long sequence = Journal.sequenceOf(segment);
            lastSequence = Math.max(lastSequence, sequence);
            if (sequence <= snapshot.coveredSequence()) {
                spares.add(recycle(segment)); // left by a crash after its snapshot became durable
                continue;
            }
            for (byte[] record : Journal.read(segment)) {
                try {
                    aggregator.apply(BatchCodec.decode(record));
                    replayed++;
                } catch (IOException e) {
                    LOG.warning("skipping unreadable journal record in " + segment.getFileName() + ": " + e.getMessage());
                }
            }
        }
        if (replayed > 0) {
            LOG.info("replayed " + replayed + " journal records");
        }
        Path reuse = spares.isEmpty() ? null : spares.remove(0);
        var store = new UsageStore(directory, aggregator, Journal.create(directory, lastSequence + 1, reuse), clock,
                onChange);
        store.spareSegments.addAll(spares);
        store.committer.start();
        return store;
    }

    private static List<Path> spares(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().startsWith("spare-")).toList();
        }
    }

    /** Renames a covered segment so that it can be reused; renaming frees no blocks. */
    private static Path recycle(Path segment) throws IOException {
        Path spare = segment.resolveSibling("spare-" + segment.getFileName());
        Files.move(segment, spare, StandardCopyOption.ATOMIC_MOVE);
        return spare;
    }

    private static List<Path> segments(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> Journal.sequenceOf(file) >= 0)
                    .sorted((a, b) -> Long.compare(Journal.sequenceOf(a), Journal.sequenceOf(b)))
                    .toList();
        }
    }

    /**
     * Applies the batch and returns a future that completes with the number of points that changed the totals, once
     * the batch is on disk; exceptionally if it could not be made durable.
     */
    public CompletableFuture<Integer> record(UsageBatch batch) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        byte[] record = BatchCodec.encode(batch);
        var durable = new CompletableFuture<Integer>();
        synchronized (aggregator) {
            if (closing) {
                durable.completeExceptionally(new IOException("store is closing"));
                return durable;
            }
            int changed = aggregator.apply(batch);
            queue.add(new Pending(record, changed, durable)); // under the lock: journal order is apply order
        }
        return durable;
    }

    public UsageReport report() {
        synchronized (aggregator) {
            return aggregator.report(clock.instant());
        }
    }

    /** See {@link UsageAggregator#activeSessions}. */
    public int activeSessions(Instant since, Predicate<Map<String, String>> excluded) {
        synchronized (aggregator) {
            return aggregator.activeSessions(since, excluded);
        }
    }

    public int sessionCount() {
        synchronized (aggregator) {
            return aggregator.sessionCount();
        }
    }

    private void commitLoop() {
        var group = new ArrayList<Pending>();
        while (!closing || !queue.isEmpty()) {
            try {
                group.add(queue.take());
                drainQueue(group);
                commit(group);
                if (journal.size() > CUT_AFTER_BYTES && (snapshotInFlight == null || snapshotInFlight.isDone())) {
                    snapshotInFlight = cut();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "could not persist usage: " + e);
                group.forEach(pending -> pending.durable.completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
    }

    /** Moves the queued batches to the list, which may already hold the first, dropping a {@link #WAKE_UP}. */
    private void drainQueue(List<Pending> into) {
        queue.drainTo(into);
        into.removeIf(pending -> pending == WAKE_UP);
    }

    private void commit(List<Pending> group) throws IOException {
        if (group.isEmpty()) {
            return;
        }
        var records = new ArrayList<byte[]>(group.size());
        int changed = 0;
        for (Pending pending : group) {
            records.add(pending.record);
            changed += pending.changed;
        }
        journal.appendDurably(records);
        for (Pending pending : group) {
            pending.durable.complete(pending.changed);
        }
        if (changed > 0) {
            onChange.run();
        }
    }

    /**
     * Captures the state and starts a new segment. The batches still queued at the capture are in the state, so they
     * go to the old segment, which the snapshot covers; everything applied later goes to the new one.
     */
    private Future<?> cut() throws IOException {
        SnapshotBytes state;
        var covered = new ArrayList<Pending>();
        synchronized (aggregator) {
            aggregator.forgetIdle(clock.instant());
            state = encodeState();
            drainQueue(covered);
        }
        commit(covered);
        long coveredSequence = journal.sequence();
        journal.close();
        journal = Journal.create(directory, coveredSequence + 1, spareSegments.poll());
        return snapshotWriter.submit(() -> writeSnapshot(state, coveredSequence));
    }

    private void writeSnapshot(SnapshotBytes state, long coveredSequence) {
        try {
            ByteBuffer snapshot = state.contents();
            var crc = new CRC32C();
            crc.update(snapshot.array(), SNAPSHOT_HEADER_BYTES, state.stateBytes());
            snapshot.putInt(0, SNAPSHOT_MAGIC).putLong(4, coveredSequence).putInt(12, (int) crc.getValue())
                    .putInt(16, state.stateBytes());
            AtomicFiles.write(snapshotPath, snapshot, true);
            for (Path segment : segments(directory)) {
                if (Journal.sequenceOf(segment) <= coveredSequence) {
                    if (spareSegments.size() < MAX_SPARE_SEGMENTS) {
                        spareSegments.add(recycle(segment));
                    } else {
                        Files.delete(segment);
                    }
                }
            }
        } catch (IOException e) {
            // The covered segments stay, so nothing is lost; the next cut tries again.
            LOG.log(Level.SEVERE, "could not write the state snapshot: " + e);
        }
    }

    /**
     * Runs under the aggregator's lock, which every export waits on meanwhile. The buffer is reused unless the last
     * snapshot is still being written from it (only possible at close, after a stalled write).
     */
    private SnapshotBytes encodeState() {
        SnapshotBytes bytes = snapshotInFlight == null || snapshotInFlight.isDone()
                ? snapshotBytes.reset() : new SnapshotBytes(SNAPSHOT_HEADER_BYTES, snapshotBytes.stateBytes());
        try (var out = new DataOutputStream(bytes)) {
            AggregatorCodec.write(aggregator, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return bytes;
    }

    private record Snapshot(UsageAggregator aggregator, long coveredSequence) {
    }

    private static Snapshot readSnapshot(Path path, Clock clock) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return new Snapshot(new UsageAggregator(clock.getZone()), 0);
        }
        try {
            ByteBuffer header = ByteBuffer.wrap(bytes);
            if (bytes.length < SNAPSHOT_HEADER_BYTES || header.getInt() != SNAPSHOT_MAGIC) {
                throw new IOException("not a state snapshot");
            }
            long covered = header.getLong();
            int checksum = header.getInt();
            int length = header.getInt();
            if (length != bytes.length - SNAPSHOT_HEADER_BYTES) {
                throw new IOException("snapshot length mismatch");
            }
            var crc = new CRC32C();
            crc.update(bytes, SNAPSHOT_HEADER_BYTES, length);
            if ((int) crc.getValue() != checksum) {
                throw new IOException("snapshot checksum mismatch");
            }
            var in = new DataInputStream(new ByteArrayInputStream(bytes, SNAPSHOT_HEADER_BYTES, length));
            return new Snapshot(AggregatorCodec.read(in, clock.getZone()), covered);
        } catch (IOException | RuntimeException e) {
            // Renames were atomic, so this is damage from outside; keep the file for inspection, never overwrite it.
            Path aside = path.resolveSibling(path.getFileName() + ".corrupt-" + System.currentTimeMillis());
            Files.move(path, aside);
            LOG.severe("state snapshot unreadable (" + e.getMessage() + "); moved to " + aside
                    + "; rebuilding from the journal");
            return new Snapshot(new UsageAggregator(clock.getZone()), 0);
        }
    }

    /** Stops taking batches, makes every queued one durable, writes a final snapshot and stops the threads. */
    @Override
    public void close() throws IOException {
        synchronized (aggregator) {
            closing = true;
            queue.add(WAKE_UP);
        }
        try {
            committer.join(TimeUnit.SECONDS.toMillis(5));
            Future<?> finalSnapshot = cut();
            snapshotWriter.shutdown();
            finalSnapshot.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.severe("final snapshot: " + e);
        } finally {
            journal.close();
        }
    }
}
