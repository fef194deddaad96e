package dev.tokenmetrics.receiver.store;

import dev.tokenmetrics.receiver.aggregate.AggregatorCodec;
import dev.tokenmetrics.receiver.aggregate.UsageAggregator;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * The aggregates, made durable. A batch is applied in memory and appended to a journal; its future completes only
 * once the journal is forced to disk, so an export answered 2xx survives a crash. One committer thread forces
 * whatever batches have queued meanwhile with a single fsync (group commit). When the journal grows past a limit,
 * and on close, the whole state is written to a snapshot and a fresh journal begins.
 */
public final class UsageStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UsageStore.class.getName());
    private static final int SNAPSHOT_MAGIC = 0x54534E50; // "TSNP"
    static final long COMPACT_AFTER_BYTES = 8L * 1024 * 1024;

    private final Path snapshotPath;
    private final Path journalPath;
    private final Clock clock;
    private final Runnable onChange;
    private final SecureRandom random = new SecureRandom();
    private final UsageAggregator aggregator;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private Journal journal; // committer thread only, once open
    private volatile boolean closing;

    private record Pending(byte[] record, int changed, CompletableFuture<Integer> durable) {
    }

    private UsageStore(Path stateDir, UsageAggregator aggregator, Journal journal, Clock clock, Runnable onChange) {
        this.snapshotPath = stateDir.resolve("state.bin");
        this.journalPath = stateDir.resolve("journal.bin");
        this.aggregator = aggregator;
        this.journal = journal;
        this.clock = clock;
        this.onChange = onChange;
        this.committer = new Thread(this::commitLoop, "journal-committer");
        this.committer.setDaemon(true);
    }

    /** Loads the snapshot, replays the journal after it, and starts the committer. */
    public static UsageStore open(Path stateDir, Clock clock, Runnable onChange) throws IOException {
        Files.createDirectories(stateDir);
        Path snapshotPath = stateDir.resolve("state.bin");
        Snapshot snapshot = readSnapshot(snapshotPath, clock);
        Journal.Opened opened = Journal.open(stateDir.resolve("journal.bin"), new SecureRandom().nextLong());
        UsageAggregator aggregator = snapshot.aggregator();
        if (opened.journal().id() != snapshot.coveredJournalId()) {
            int replayed = 0;
            for (byte[] record : opened.records()) {
                try {
                    aggregator.apply(BatchCodec.decode(record));
                    replayed++;
                } catch (IOException e) {
                    LOG.warning("skipping unreadable journal record: " + e.getMessage());
                }
            }
            if (replayed > 0) {
                LOG.info("replayed " + replayed + " journal records");
            }
        }
        var store = new UsageStore(stateDir, aggregator, opened.journal(), clock, onChange);
        store.committer.start();
        return store;
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

    public int sessionCount() {
        synchronized (aggregator) {
            return aggregator.sessionCount();
        }
    }

    private void commitLoop() {
        var group = new ArrayList<Pending>();
        while (!closing || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group);
                commit(group);
                if (journal.size() > COMPACT_AFTER_BYTES) {
                    compact();
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

    private void commit(List<Pending> group) throws IOException {
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
     * Writes the whole state as a snapshot covering the current journal, then starts a new journal. A crash between
     * the two leaves a snapshot that names the old journal as covered, so it is not replayed twice.
     */
    private void compact() throws IOException {
        byte[] state;
        long covered = journal.id();
        var absorbed = new ArrayList<Pending>();
        synchronized (aggregator) {
            aggregator.forgetIdle(clock.instant());
            queue.drainTo(absorbed); // applied already, so the snapshot holds them
            state = encodeState(aggregator);
        }
        var bytes = new ByteArrayOutputStream(state.length + 20);
        try (var out = new DataOutputStream(bytes)) {
            var crc = new CRC32C();
            crc.update(state);
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeLong(covered);
            out.writeInt((int) crc.getValue());
            out.writeInt(state.length);
            out.write(state);
        }
        AtomicFiles.write(snapshotPath, bytes.toByteArray());
        journal.close();
        journal = Journal.create(journalPath, random.nextLong());
        for (Pending pending : absorbed) {
            pending.durable.complete(pending.changed);
        }
        if (!absorbed.isEmpty()) {
            onChange.run();
        }
    }

    private static byte[] encodeState(UsageAggregator aggregator) {
        var bytes = new ByteArrayOutputStream(64 * 1024);
        try (var out = new DataOutputStream(bytes)) {
            AggregatorCodec.write(aggregator, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return bytes.toByteArray();
    }

    private record Snapshot(UsageAggregator aggregator, long coveredJournalId) {
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
            if (bytes.length < 20 || header.getInt() != SNAPSHOT_MAGIC) {
                throw new IOException("not a state snapshot");
            }
            long covered = header.getLong();
            int checksum = header.getInt();
            int length = header.getInt();
            if (length != bytes.length - 20) {
                throw new IOException("snapshot length mismatch");
            }
            var crc = new CRC32C();
            crc.update(bytes, 20, length);
            if ((int) crc.getValue() != checksum) {
                throw new IOException("snapshot checksum mismatch");
            }
            var in = new DataInputStream(new ByteArrayInputStream(bytes, 20, length));
            return new Snapshot(AggregatorCodec.read(in, clock.getZone()), covered);
        } catch (IOException | RuntimeException e) {
            // Renames were atomic, so this is damage from outside; keep the file for inspection, never overwrite it.
            Path aside = path.resolveSibling(path.getFileName() + ".corrupt-" + System.currentTimeMillis());
            Files.move(path, aside);
            LOG.severe("state snapshot unreadable (" + e.getMessage() + "); moved to " + aside + ", starting afresh");
            return new Snapshot(new UsageAggregator(clock.getZone()), 0);
        }
    }

    /** Stops taking batches, makes every queued one durable, writes a snapshot and stops the committer. */
    @Override
    public void close() throws IOException {
        synchronized (aggregator) {
            closing = true;
        }
        try {
            committer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        compact();
        journal.close();
    }
}
