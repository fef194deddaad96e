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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * The aggregates, made durable. A batch is queued for the journal; one committer thread appends whatever batches have
 * queued meanwhile, forces them with a single fsync (group commit), and only then applies them to the aggregates and
 * completes their futures. So an export answered 2xx survives a crash, and one that could not be made durable (a
 * full disk, an I/O error) is answered 503 and counted nowhere, not even in memory. After such a failure the segment
 * is left for a new one, so nothing is appended behind bytes that might not read back.
 * <p>
 * The journal is a series of segments. When the current one grows past a limit the committer cuts: it captures the
 * state (which covers every segment so far) and hands the snapshot to a background writer, which recycles the
 * covered segments once the snapshot is durable; the next commit starts a new segment. Commits never wait for a
 * snapshot. Recovery loads the snapshot and replays the segments after the ones it covers, keeping every intact
 * record and reporting what it could not read in {@link Problems}.
 */
public final class UsageStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UsageStore.class.getName());
    private static final int SNAPSHOT_MAGIC = 0x54534E47; // "TSNG"
    private static final int SNAPSHOT_HEADER_BYTES = 20;
    static final long CUT_AFTER_BYTES = 8L * 1024 * 1024;
    private static final int MAX_SPARE_SEGMENTS = 2;
    /** Shorter than close's wait for the final snapshot. */
    private static final java.time.Duration OUTPUT_DURABLE_TIMEOUT = java.time.Duration.ofSeconds(3);

    private final Path directory;
    private final Path snapshotPath;
    private final Clock clock;
    private final List<CommitListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Problems problems;
    private final Journal.Opener opener;
    private final UsageAggregator aggregator;
    private final Object intake = new Object(); // orders closing against enqueueing
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "snapshot-writer");
        thread.setDaemon(true);
        return thread;
    });
    /** Covered segment files waiting to be reused (see {@link Journal}): filled by the snapshot writer. */
    private final FsyncTimes fsyncTimes = new FsyncTimes();
    private final ConcurrentLinkedQueue<Path> spareSegments = new ConcurrentLinkedQueue<>();
    private Journal journal; // the committer's; null until the next commit starts a segment
    private long nextSequence; // the committer's
    private volatile long commits; // written by the committer only
    private long outputFailures; // the committer's
    /** The committer's: one buffer for every snapshot, so that a cut allocates nothing large while exports wait. */
    private final SnapshotBytes snapshotBytes = new SnapshotBytes(SNAPSHOT_HEADER_BYTES, 64 * 1024);
    private Future<?> snapshotInFlight; // the committer's
    private volatile boolean closing;

    private record Pending(UsageBatch batch, byte[] record, CompletableFuture<Integer> durable) {
    }

    /**
     * Queued by close() behind every batch, to wake a committer that waits on an empty queue: it waits without a
     * timeout, so that an idle daemon does not wake ten times a second. Never written.
     */
    private static final Pending WAKE_UP = new Pending(null, null, null);

    private UsageStore(Path directory, UsageAggregator aggregator, long nextSequence, Clock clock, Problems problems,
                       Journal.Opener opener) {
        this.directory = directory;
        this.snapshotPath = directory.resolve("state.bin");
        this.aggregator = aggregator;
        this.nextSequence = nextSequence;
        this.clock = clock;
        this.problems = problems;
        this.opener = opener;
        this.committer = new Thread(this::commitLoop, "journal-committer");
        this.committer.setDaemon(true);
    }

    /** Loads the snapshot and replays the journal segments after it; the next commit starts a fresh segment. */
    public static UsageStore open(Path directory, Clock clock) throws IOException {
        return open(directory, clock, new Problems());
    }

    /** As {@link #open(Path, Clock)}, reporting what goes wrong, now or later, to {@code problems}. */
    public static UsageStore open(Path directory, Clock clock, Problems problems) throws IOException {
        return open(directory, clock, problems, Journal.Opener.FILES);
    }

    static UsageStore open(Path directory, Clock clock, Problems problems, Journal.Opener opener) throws IOException {
        Files.createDirectories(directory);
        AtomicFiles.deleteTemporaries(directory.resolve("state.bin")); // a snapshot a crash cut short
        Snapshot snapshot = readSnapshot(directory.resolve("state.bin"), clock, problems);
        UsageAggregator aggregator = snapshot.aggregator();
        long lastSequence = snapshot.coveredSequence();
        int replayed = 0;
        var spares = new ArrayList<Path>(spares(directory));
        var damage = new ArrayList<Journal.Damage>();
        List<Path> segments = segments(directory);
        for (Path segment : segments) {
            long sequence = Journal.sequenceOf(segment);
            lastSequence = Math.max(lastSequence, sequence);
            if (sequence <= snapshot.coveredSequence()) {
                spares.add(recycle(segment)); // left by a crash after its snapshot became durable
                continue;
            }
            Journal.Contents contents = Journal.read(segment);
            for (byte[] record : contents.records()) {
                try {
                    aggregator.apply(BatchCodec.decode(record));
                    replayed++;
                } catch (IOException | RuntimeException e) {
                    LOG.severe("skipping unreadable journal record in " + segment.getFileName() + ": " + e.getMessage());
                    damage.add(new Journal.Damage(segment, -1, record.length, false));
                }
            }
            boolean newest = segment.equals(segments.get(segments.size() - 1));
            if (newest && contents.records().isEmpty() && !contents.damage().isEmpty()) {
                // A crash while the segment was being started (a recycled file renamed in, its header not yet
                // durable): nothing in it was ever acknowledged.
                LOG.warning("journal " + segment.getFileName() + " was being started when the daemon stopped;"
                        + " set aside for reuse");
                spares.add(recycle(segment));
                continue;
            }
            for (Journal.Damage stretch : contents.damage()) {
                if (stretch.atEnd() && newest) {
                    // The one place a crash can cut a write short. Cut it off, so that it is not taken for damage
                    // once later segments follow this one.
                    LOG.warning("journal " + stretch + "; cut off");
                    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS)) {
                        channel.truncate(stretch.offset());
                        channel.force(true);
                    }
                } else {
                    damage.add(stretch);
                }
            }
        }
        LOG.info("replayed " + replayed + " journal records");
        if (!damage.isEmpty()) {
            reportDamage(directory, damage, problems);
        }
        var store = new UsageStore(directory, aggregator, lastSequence + 1, clock, problems, opener);
        store.spareSegments.addAll(spares);
        store.committer.start();
        return store;
    }

    /**
     * Says loudly what recovery could not read, and keeps a copy of each damaged segment for inspection: the
     * segments themselves are recycled once the next snapshot covers them.
     */
    private static void reportDamage(Path directory, List<Journal.Damage> damage, Problems problems)
            throws IOException {
        long bytes = 0;
        var kept = new java.util.LinkedHashSet<Path>();
        for (Journal.Damage stretch : damage) {
            LOG.severe("journal " + stretch);
            bytes += stretch.bytes();
            kept.add(stretch.segment());
        }
        for (Path segment : kept) {
            try (FileChannel from = FileChannel.open(segment, StandardOpenOption.READ);
                 FileChannel to = AtomicFiles.openPrivate(directory.resolve("damaged-" + segment.getFileName()),
                         StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                from.transferTo(0, from.size(), to);
            }
        }
        problems.report("journal recovery", damage.size() + " unreadable stretch(es), " + bytes + " bytes in "
                + kept.size() + " segment(s); every intact record was replayed; copies kept as damaged-journal-*.bin;"
                + " first: " + damage.get(0));
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
     * Queues the batch and returns a future that completes with the number of points that changed the totals, once
     * the batch is on disk and applied; exceptionally, and applied nowhere, if it could not be made durable.
     */
    public CompletableFuture<Integer> record(UsageBatch batch) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        byte[] record = BatchCodec.encode(batch);
        var durable = new CompletableFuture<Integer>();
        synchronized (intake) {
            if (closing) {
                durable.completeExceptionally(new IOException("store is closing"));
                return durable;
            }
            queue.add(new Pending(batch, record, durable));
        }
        return durable;
    }

    /** How long making each group durable took: what exporters wait for. */
    public FsyncTimes fsyncTimes() {
        return fsyncTimes;
    }

    /** How many group commits there have been since the store opened: what an output has caught up with. */
    public long commits() {
        return commits;
    }

    /**
     * Tells the output of the batches in the journal, those after the snapshot, as a commit numbered 0 per segment:
     * what an output that keeps its own copy may have missed when the daemon stopped. Call before the server starts,
     * so that no commit is under way.
     */
    public void replayJournal(CommitListener output) throws IOException {
        for (Path segment : segments(directory)) {
            var batches = new ArrayList<UsageBatch>();
            for (byte[] record : Journal.read(segment).records()) {
                try {
                    batches.add(BatchCodec.decode(record));
                } catch (IOException | RuntimeException e) {
                    // already reported when the store opened
                }
            }
            if (!batches.isEmpty()) {
                output.committed(new Commit(0, batches, 0));
            }
        }
    }

    /** Plugs an output in: from now on it hears of every commit. */
    public void addListener(CommitListener listener) {
        listeners.add(listener);
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
                if (journal != null && journal.size() > CUT_AFTER_BYTES
                        && (snapshotInFlight == null || snapshotInFlight.isDone())) {
                    snapshotInFlight = cut();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A fault of ours: the group's futures must still complete, or its exports would hang.
                LOG.log(Level.SEVERE, "journal committer", e);
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

    /** Makes the group durable, then applies it in journal order and completes its futures. */
    private void commit(List<Pending> group) {
        if (group.isEmpty()) {
            return;
        }
        var records = new ArrayList<byte[]>(group.size());
        for (Pending pending : group) {
            records.add(pending.record);
        }
        try {
            if (journal == null) {
                journal = Journal.create(directory, nextSequence, spareSegments.poll(), opener);
                nextSequence++;
            }
            long started = System.nanoTime();
            journal.appendDurably(records);
            fsyncTimes.record(System.nanoTime() - started);
        } catch (IOException e) {
            closeSegment(); // never append behind a write that failed
            if (problems.report("journal", "cannot make exports durable (" + e.getMessage() + "); they are answered"
                    + " 503 and counted nowhere until this clears")) {
                LOG.severe("journal: cannot make exports durable, answering 503: " + e);
            }
            group.forEach(pending -> pending.durable.completeExceptionally(e));
            return;
        }
        if (problems.clear("journal")) {
            LOG.info("journal: writing again");
        }
        int changed = 0;
        var outcomes = new Object[group.size()]; // the points counted, or what went wrong
        synchronized (aggregator) {
            for (int i = 0; i < group.size(); i++) {
                try {
                    int counted = aggregator.apply(group.get(i).batch);
                    changed += counted;
                    outcomes[i] = counted;
                } catch (RuntimeException e) { // a fault of ours: this export fails, the others count
                    outcomes[i] = e;
                }
            }
        }
        long sequence = ++commits; // counted before any export of it is answered
        for (int i = 0; i < group.size(); i++) { // outside the lock: completing runs the exports' responses
            if (outcomes[i] instanceof RuntimeException e) {
                LOG.log(Level.SEVERE, "could not apply a batch", e);
                problems.report("aggregation", "a batch could not be applied: " + e);
                group.get(i).durable.completeExceptionally(e);
            } else {
                group.get(i).durable.complete((Integer) outcomes[i]);
            }
        }
        if (!listeners.isEmpty()) {
            var commit = new Commit(sequence, group.stream().map(Pending::batch).toList(), changed);
            for (CommitListener listener : listeners) {
                tell(listener, commit);
            }
        }
    }

    /**
     * One output's fault, an {@code Error} included, must neither keep the commit from the outputs after it (the
     * forwarder, last, answers the group's exports once it has queued them) nor end the committer. It stays in
     * {@code /health} for the daemon's life: that output may have missed the commit's exports for good.
     */
    private void tell(CommitListener listener, Commit commit) {
        try {
            listener.committed(commit);
        } catch (RuntimeException | Error e) {
            String output = listener.getClass().getSimpleName();
            LOG.log(Level.SEVERE, "output " + output + " failed to take commit " + commit.sequence()
                    + "; the other outputs took it", e);
            problems.report("outputs", ++outputFailures + " commit(s) an output failed to take since the start (it"
                    + " may miss their exports); the last: " + output + ", " + e);
        }
    }

    private void closeSegment() {
        if (journal == null) {
            return;
        }
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warning("closing journal segment " + journal.sequence() + ": " + e);
        }
        journal = null;
    }

    /**
     * Captures the state, which covers every segment so far since every committed batch is applied, and leaves the
     * current segment: the next commit starts a new one.
     */
    private Future<?> cut() {
        SnapshotBytes state;
        synchronized (aggregator) {
            aggregator.forgetIdle(clock.instant());
            state = encodeState();
        }
        long coveredSequence = nextSequence - 1;
        long coveredCommit = commits;
        closeSegment();
        return snapshotWriter.submit(() -> writeSnapshot(state, coveredSequence, coveredCommit));
    }

    private void writeSnapshot(SnapshotBytes state, long coveredSequence, long coveredCommit) {
        try {
            ByteBuffer snapshot = state.contents();
            var crc = new CRC32C();
            crc.update(snapshot.array(), SNAPSHOT_HEADER_BYTES, state.stateBytes());
            snapshot.putInt(0, SNAPSHOT_MAGIC).putLong(4, coveredSequence).putInt(12, (int) crc.getValue())
                    .putInt(16, state.stateBytes());
            // Outputs first: once the snapshot is durable, a restart recycles the covered segments at once.
            for (CommitListener listener : listeners) {
                if (!listener.awaitDurable(coveredCommit, OUTPUT_DURABLE_TIMEOUT)) {
                    LOG.warning("an output did not make commits up to " + coveredCommit + " durable in time;"
                            + " the journal segments that hold them are recycled all the same");
                }
            }
            AtomicFiles.write(snapshotPath, snapshot, AtomicFiles.Durability.RENAME);
            for (Path segment : segments(directory)) {
                if (Journal.sequenceOf(segment) <= coveredSequence) {
                    if (spareSegments.size() < MAX_SPARE_SEGMENTS) {
                        spareSegments.add(recycle(segment));
                    } else {
                        Files.delete(segment);
                    }
                }
            }
            if (problems.clear("snapshot")) {
                LOG.info("state snapshot written again");
            }
        } catch (IOException | RuntimeException e) {
            // The covered segments stay, so nothing is lost; the next cut tries again.
            if (problems.report("snapshot", "cannot write " + snapshotPath.getFileName() + " (" + e.getMessage()
                    + "); the journal keeps growing until it can")) {
                LOG.log(Level.SEVERE, "could not write the state snapshot: " + e);
            }
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

    private static Snapshot readSnapshot(Path path, Clock clock, Problems problems) throws IOException {
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
            String problem = "state snapshot unreadable (" + e.getMessage() + "), moved to " + aside.getFileName()
                    + "; the totals are rebuilt from the journal segments still there, which may not cover all";
            LOG.severe(problem);
            problems.report("snapshot recovery", problem);
            return new Snapshot(new UsageAggregator(clock.getZone()), 0);
        }
    }

    /** Stops taking batches, makes every queued one durable, writes a final snapshot and stops the threads. */
    @Override
    public void close() throws IOException {
        synchronized (intake) {
            closing = true;
            queue.add(WAKE_UP);
        }
        try {
            committer.join(TimeUnit.SECONDS.toMillis(5));
            if (committer.isAlive()) { // stuck on the disk: the journal holds everything, a snapshot can wait
                LOG.severe("the journal committer did not finish; no final snapshot");
                return;
            }
            Future<?> finalSnapshot = cut();
            snapshotWriter.shutdown();
            finalSnapshot.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.severe("final snapshot: " + e);
        } finally {
            // A committer still running (a disk slower than the wait) owns its segment: closed under it, a write that
            // landed would be refused (503) and sent again, then counted twice on replay. The process's exit closes it.
            if (!committer.isAlive()) {
                closeSegment();
            }
        }
    }
}
