package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.Signal;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The durable, bounded queue of exports waiting to go upstream, in {@code <state-dir>/forward/}: segment files of
 * framed records ({@link QueueSegment}) and a cursor file saying where the unsent records start. An append is one
 * write, never a wait: when the queue would grow past its bound, the oldest segment goes, its unsent records
 * counted as dropped. A segment the cursor has passed is deleted. Thread-safe: appends come from the store's
 * committer thread, reads and acknowledgements from the sender's.
 */
public final class ForwardQueue implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ForwardQueue.class.getName());
    static final int CURSOR_MAGIC = 0x46574331; // "FWC1"
    static final int CURSOR_BYTES = 24; // magic, segment, offset, checksum
    private static final long MAX_SEGMENT_BYTES = 8L << 20;
    private static final long MIN_SEGMENT_BYTES = 16L << 10;
    static final int STAGING_BYTES = 256 << 10;

    /** Where a record is: a segment and a record's index in it. */
    record Position(long segment, int index) {
    }

    /**
     * Records of one signal, in queue order, and the position after them, to acknowledge once sent; {@code drained}
     * when nothing else was queued behind them as they were read. Its bodies are where the queue read them, in the
     * one buffer it reads every batch into: valid until the next {@link #next}, after which they throw.
     */
    public static final class Batch {
        private final Signal signal;
        private final ReadBuffer buffer;
        private final long generation;
        private final int[] offsets;
        private final int[] lengths;
        private final int count;
        private final Position from;
        private final Position to;
        private final int skipped;
        private final boolean drained;

        private Batch(Signal signal, ReadBuffer buffer, int[] offsets, int[] lengths, int count, Position from,
                      Position to, int skipped, boolean drained) {
            this.signal = signal;
            this.buffer = buffer;
            this.generation = buffer.generation;
            this.offsets = offsets;
            this.lengths = lengths;
            this.count = count;
            this.from = from;
            this.to = to;
            this.skipped = skipped;
            this.drained = drained;
        }

        public Signal signal() {
            return signal;
        }

        /** How many exports it holds. */
        public int size() {
            return count;
        }

        /** The array holding the bodies, valid until the next read of the queue. */
        public byte[] array() {
            if (buffer.generation != generation) {
                throw new IllegalStateException("a batch's bodies were read over by the next batch");
            }
            return buffer.bytes;
        }

        /** Where the {@code index}th body starts in {@link #array()}. */
        public int offset(int index) {
            return offsets[index];
        }

        public int length(int index) {
            return lengths[index];
        }

        /** Copies of the bodies. */
        public List<byte[]> bodies() {
            byte[] bytes = array();
            var bodies = new ArrayList<byte[]>(count);
            for (int i = 0; i < count; i++) {
                bodies.add(Arrays.copyOfRange(bytes, offsets[i], offsets[i] + lengths[i]));
            }
            return bodies;
        }

        public Position from() {
            return from;
        }

        public Position to() {
            return to;
        }

        /** Records damaged on disk since they were written, passed over. */
        public int skipped() {
            return skipped;
        }

        public boolean drained() {
            return drained;
        }
    }

    /**
     * The sender's read buffer: one array for every batch (a batch is up to the sender's bound, 1 MiB), rather than
     * two arrays per record; one a single outsized export needed is let go after it.
     */
    private static final class ReadBuffer {
        static final int KEEP_BYTES = 2 << 20;
        byte[] bytes = new byte[64 * 1024];
        long generation;

        byte[] take(int length) {
            generation++;
            if (length > bytes.length) {
                bytes = new byte[Math.max(length, Math.min(KEEP_BYTES, 2 * bytes.length))];
            } else if (bytes.length > KEEP_BYTES && length <= KEEP_BYTES) {
                bytes = new byte[KEEP_BYTES];
            }
            return bytes;
        }
    }

    /** What the queue holds and has lost; {@code appendFailures} counts records that could not be written. */
    public record Stats(long records, long bytes, long dropped, long appendFailures) {
    }

    private final Path directory;
    private final long maxBytes;
    private final long segmentBytes;
    private final FileChannel cursorFile;
    private final ArrayDeque<QueueSegment> segments = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final ReadBuffer readBuffer = new ReadBuffer(); // the sender's: one reader at a time
    /** Where appends frame their records for one write: direct, so the kernel reads it where it is. Guarded. */
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    private final CRC32C crc = new CRC32C(); // guarded
    private Position cursor;
    private long bytes;
    private long records; // unsent
    private long dropped;
    private long appendFailures;
    private boolean closed;
    private long lastDropWarningNanos;
    private long droppedAtLastWarning;
    /** At most one line a minute about drops: a long outage must not fill the log as it fills the queue. */
    static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private ForwardQueue(Path directory, long maxBytes, FileChannel cursorFile) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8));
        this.cursorFile = cursorFile;
    }

    /**
     * Opens the queue in the directory, reading what an earlier run left: segments (a torn tail cut off, damage
     * skipped and logged) and the cursor (missing or damaged: from the oldest record, which may send some twice).
     */
    public static ForwardQueue open(Path directory, long maxBytes) throws IOException {
        Files.createDirectories(directory);
        FileChannel cursorFile = AtomicFiles.openPrivate(directory.resolve("cursor"), StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        var queue = new ForwardQueue(directory, maxBytes, cursorFile);
        try {
            queue.load();
        } catch (IOException | RuntimeException e) {
            queue.close();
            throw e;
        }
        return queue;
    }

    private void load() throws IOException {
        List<Long> sequences;
        try (Stream<Path> files = Files.list(directory)) {
            sequences = files.map(QueueSegment::sequenceOf).filter(sequence -> sequence >= 0).sorted().toList();
        }
        for (long sequence : sequences) {
            QueueSegment segment = QueueSegment.open(QueueSegment.pathOf(directory, sequence), sequence);
            if (segment.damagedBytes > 0) {
                LOG.warning("forwarding queue: " + segment.path.getFileName() + ": skipped " + segment.damagedBytes
                        + " damaged bytes; the records there are lost");
            }
            if (segment.tornTail) {
                LOG.info("forwarding queue: " + segment.path.getFileName() + ": cut off a record cut short (by a"
                        + " crash: never acknowledged, so sent again by Claude Code; or by a power cut)");
            }
            segments.add(segment);
        }
        if (segments.isEmpty()) {
            segments.add(QueueSegment.create(directory, 1));
        }
        cursor = readCursor();
        while (segments.size() > 1 && segments.peekFirst().sequence < cursor.segment()) {
            segments.pollFirst().delete();
        }
        QueueSegment head = segments.peekFirst();
        if (cursor.segment() != head.sequence) {
            cursor = new Position(head.sequence, 0);
        }
        for (QueueSegment segment : segments) {
            bytes += segment.size();
            records += segment.count();
        }
        records -= cursor.index();
        if (segments.peekLast().size() >= segmentBytes) {
            segments.add(QueueSegment.create(directory, segments.peekLast().sequence + 1));
            bytes += QueueSegment.HEADER_BYTES;
        }
        saveCursor(); // from the first start on, a missing cursor means a lost one
    }

    /** The cursor as saved: a segment and an offset in it, mapped to the first record there. */
    private Position readCursor() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CURSOR_BYTES);
        while (buffer.hasRemaining() && cursorFile.read(buffer, buffer.position()) >= 0) {
            // read it all
        }
        QueueSegment head = segments.peekFirst();
        if (buffer.position() < CURSOR_BYTES || buffer.getInt(0) != CURSOR_MAGIC
                || buffer.getInt(20) != cursorChecksum(buffer.array())) {
            if (cursorFile.size() > 0 || head.count() > 0) {
                LOG.warning("forwarding queue: no readable cursor; sending from the oldest record kept (the"
                        + " upstream may receive some exports twice)");
            }
            return new Position(head.sequence, 0);
        }
        long segment = buffer.getLong(4);
        long offset = buffer.getLong(12);
        for (QueueSegment candidate : segments) {
            if (candidate.sequence == segment) {
                return new Position(segment, candidate.indexAt(offset));
            }
        }
        // Its segment is gone: sent in full and deleted (a later one, or none, holds what is unsent).
        for (QueueSegment candidate : segments) {
            if (candidate.sequence > segment) {
                return new Position(candidate.sequence, 0);
            }
        }
        QueueSegment last = segments.peekLast();
        return new Position(last.sequence, last.count());
    }

    private static int cursorChecksum(byte[] cursor) {
        var crc = new CRC32C();
        crc.update(cursor, 0, 20);
        return (int) crc.getValue();
    }

    /** An export to append: its signal and its protobuf bytes. */
    public record Export(Signal signal, byte[] body) {
    }

    /**
     * Appends an export; never blocks on the sender and never throws: a record that cannot be written (a full
     * disk) is counted, and the caller's export is unaffected.
     *
     * @return false when the record could not be written
     */
    public boolean append(Signal signal, byte[] body) {
        return append(List.of(new Export(signal, body)))[0];
    }

    /**
     * Appends the exports in order, with one write per segment they go to (a group the size of the staging buffer
     * or larger takes more); never blocks on the sender and never throws: records that cannot be written (a full
     * disk) are counted, and the callers' exports are unaffected.
     *
     * @return for each export, whether it was written
     */
    public boolean[] append(List<Export> exports) {
        boolean[] written = new boolean[exports.size()];
        lock.lock();
        try {
            if (closed) {
                appendFailures += exports.size();
                return written;
            }
            int run = 0; // the first export not yet written: the run from it to i goes to the last segment
            long runBytes = 0;
            for (int i = 0; i < exports.size(); i++) {
                byte[] body = exports.get(i).body();
                long framed = QueueSegment.FRAME_BYTES + 1L + body.length;
                QueueSegment active = segments.peekLast();
                boolean tooLarge = framed + QueueSegment.HEADER_BYTES > maxBytes;
                boolean full = (active.count() > 0 || i > run) && active.size() + runBytes + framed > segmentBytes;
                if (tooLarge || full) {
                    write(exports, run, i, runBytes, written);
                    run = i;
                    runBytes = 0;
                }
                try {
                    if (tooLarge) {
                        dropped++;
                        LOG.warning("forwarding queue: an export of " + body.length + " bytes is larger than the"
                                + " queue (" + maxBytes + " bytes); dropped");
                        run = i + 1;
                        continue;
                    }
                    if (full) {
                        active = QueueSegment.create(directory, active.sequence + 1);
                        segments.add(active);
                        bytes += active.size();
                    }
                    while (bytes + runBytes + framed > maxBytes && segments.size() > 1) {
                        dropOldest();
                    }
                } catch (IOException e) {
                    write(exports, run, i, runBytes, written);
                    run = i + 1;
                    runBytes = 0;
                    appendFailures++;
                    LOG.warning("forwarding queue: could not make room for an export (" + e.getMessage()
                            + "); it stays local only");
                    continue;
                }
                runBytes += framed;
            }
            write(exports, run, exports.size(), runBytes, written);
            return written;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes {@code exports[from, to)}, {@code runBytes} framed, at the end of the last segment: true in
     * {@code written} for each, or counted as failures.
     */
    private void write(List<Export> exports, int from, int to, long runBytes, boolean[] written) {
        if (from >= to) {
            return;
        }
        try {
            segments.peekLast().append(exports, from, to, staging, crc);
            Arrays.fill(written, from, to, true);
            bytes += runBytes;
            records += to - from;
            appended.signalAll();
        } catch (IOException e) {
            appendFailures += to - from;
            LOG.warning("forwarding queue: could not write " + (to - from) + " export(s) (" + e.getMessage()
                    + "); they stay local only");
        }
    }

    /** Deletes the oldest segment, counting its unsent records as dropped and moving the cursor past it. */
    private void dropOldest() throws IOException {
        QueueSegment oldest = segments.pollFirst();
        int unsent = oldest.sequence == cursor.segment() ? oldest.count() - cursor.index()
                : oldest.sequence > cursor.segment() ? oldest.count() : 0;
        dropped += unsent;
        records -= unsent;
        bytes -= oldest.size();
        oldest.delete();
        if (cursor.segment() <= oldest.sequence) {
            cursor = new Position(segments.peekFirst().sequence, 0);
            saveCursor();
        }
        long now = System.nanoTime();
        boolean quietLongEnough = now - lastDropWarningNanos >= DROP_WARNING_INTERVAL_NANOS;
        if (unsent > 0 && (droppedAtLastWarning == 0 || quietLongEnough)) {
            LOG.warning("forwarding queue full (" + maxBytes + " bytes): dropped " + (dropped - droppedAtLastWarning)
                    + " of the oldest unsent exports" + (droppedAtLastWarning == 0 ? "" : " in the last minute")
                    + " (" + dropped + " since start); is the upstream reachable?");
            lastDropWarningNanos = now;
            droppedAtLastWarning = dropped;
        }
    }

    /**
     * The next records to send, up to the limits, all of one signal and one segment; waits up to the timeout for
     * one to arrive. Null when none arrived in time or the queue is closed. The records are read without the lock,
     * so that appends (the store's committer, which every acknowledgement waits for) never wait for the disk reads.
     */
    public Batch next(int maxRecords, long maxBodyBytes, long timeoutMillis) throws InterruptedException,
            IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Slice slice = slice(maxRecords, deadline);
            if (slice == null) {
                return null;
            }
            try {
                return read(slice, maxBodyBytes);
            } catch (IOException e) {
                lock.lock();
                try {
                    if (!closed && cursor.equals(slice.from())) {
                        throw e; // a real failure to read, not a segment dropped from under the read
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Where the next records are: their segment, the cursor, and their offsets and lengths copied. */
    private record Slice(QueueSegment segment, Position from, int[] offsets, int[] lengths, boolean tail) {
    }

    private Slice slice(int maxRecords, long deadline) throws InterruptedException, IOException {
        lock.lock();
        try {
            while (!closed) {
                QueueSegment segment = segmentAt(cursor);
                if (segment != null && cursor.index() >= segment.count() && segment != segments.peekLast()) {
                    advanceTo(new Position(next(segment).sequence, 0)); // a finished segment: on to the next
                    continue;
                }
                if (segment != null && cursor.index() < segment.count()) {
                    int count = Math.min(maxRecords, segment.count() - cursor.index());
                    int[] offsets = new int[count];
                    int[] lengths = new int[count];
                    for (int i = 0; i < count; i++) {
                        offsets[i] = segment.offset(cursor.index() + i);
                        lengths[i] = segment.length(cursor.index() + i);
                    }
                    boolean tail = segment == segments.peekLast() && cursor.index() + count == segment.count();
                    return new Slice(segment, cursor, offsets, lengths, tail);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                appended.awaitNanos(left);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the slice's records with one read into the read buffer, as far as the bound on bodies' bytes allows (one
     * record at least), and keeps those of the first one's signal.
     */
    private Batch read(Slice slice, long maxBodyBytes) throws IOException {
        int[] offsets = slice.offsets();
        int[] lengths = slice.lengths();
        int reading = 0;
        long size = 0;
        while (reading < offsets.length && (reading == 0 || size + lengths[reading] - 1 <= maxBodyBytes)) {
            size += lengths[reading] - 1;
            reading++;
        }
        long start = offsets[0];
        long end = (long) offsets[reading - 1] + QueueSegment.FRAME_BYTES + lengths[reading - 1];
        byte[] bytes = readBuffer.take((int) (end - start));
        int got = slice.segment().read(start, bytes, (int) (end - start));
        Arrays.fill(bytes, got, (int) (end - start), (byte) 0); // a file cut short: what is missing reads as damage
        int[] bodyOffsets = new int[reading];
        int[] bodyLengths = new int[reading];
        int count = 0;
        Signal signal = null;
        int skipped = 0;
        int read = 0;
        while (read < reading) {
            int at = (int) (offsets[read] - start);
            Signal recordSignal = QueueSegment.intactRecord(bytes, at, lengths[read]);
            if (recordSignal == null) { // damaged since it was written: nothing to send
                skipped++;
                read++;
                continue;
            }
            if (signal != null && recordSignal != signal) {
                break;
            }
            signal = recordSignal;
            bodyOffsets[count] = at + QueueSegment.FRAME_BYTES + 1;
            bodyLengths[count] = lengths[read] - 1;
            count++;
            read++;
        }
        Position from = slice.from();
        return new Batch(signal == null ? Signal.METRICS : signal, readBuffer, bodyOffsets, bodyLengths, count, from,
                new Position(from.segment(), from.index() + read), skipped,
                slice.tail() && read == offsets.length);
    }

    /**
     * Moves the cursor past a batch that went upstream (or was given up on); nothing when its records were dropped
     * meanwhile, as the cursor moved past them then.
     */
    public void acknowledge(Batch batch) throws IOException {
        lock.lock();
        try {
            if (!closed && cursor.equals(batch.from())) {
                records -= batch.to().index() - batch.from().index();
                advanceTo(batch.to());
            }
        } finally {
            lock.unlock();
        }
    }

    private void advanceTo(Position position) throws IOException {
        cursor = position;
        while (segments.size() > 1 && segments.peekFirst().sequence < position.segment()) {
            QueueSegment sent = segments.pollFirst();
            bytes -= sent.size();
            sent.delete();
        }
        saveCursor();
    }

    /**
     * Writes the cursor in place, one write of 24 bytes without fsync: it survives the process's death; a cursor
     * lost with the machine, or torn, reads as missing, and the queue sends from its oldest record again.
     */
    private void saveCursor() throws IOException {
        QueueSegment segment = segmentAt(cursor);
        long offset = segment == null || cursor.index() >= segment.count()
                ? (segment == null ? QueueSegment.HEADER_BYTES : segment.size()) : segment.offset(cursor.index());
        ByteBuffer buffer = ByteBuffer.allocate(CURSOR_BYTES).putInt(CURSOR_MAGIC).putLong(cursor.segment())
                .putLong(offset);
        buffer.putInt(cursorChecksum(buffer.array()));
        buffer.flip();
        while (buffer.hasRemaining()) {
            cursorFile.write(buffer, buffer.position());
        }
    }

    private QueueSegment segmentAt(Position position) {
        for (QueueSegment segment : segments) {
            if (segment.sequence == position.segment()) {
                return segment;
            }
        }
        return null;
    }

    private QueueSegment next(QueueSegment segment) {
        boolean found = false;
        for (QueueSegment candidate : segments) {
            if (found) {
                return candidate;
            }
            found = candidate == segment;
        }
        throw new IllegalStateException("no segment after " + segment.sequence);
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(records, bytes, dropped, appendFailures);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a sender waiting in {@link #next} and closes the files; what is unsent stays for the next start. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            appended.signalAll();
            for (QueueSegment segment : segments) {
                try {
                    segment.close();
                } catch (IOException ignored) {
                    // closing a file we only read and appended to
                }
            }
            try {
                cursorFile.close();
            } catch (IOException ignored) {
                // as above
            }
        } finally {
            lock.unlock();
        }
    }
}
