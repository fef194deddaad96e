package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.Signal;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One file of the forwarding queue: a header (magic, sequence number) and records framed as the journal frames
 * them: a marker, the payload's length and a CRC32C of both and the payload; the payload is the signal's number and
 * the export's protobuf bytes. Reading tells intact records from the end of what was written (a torn tail after
 * {@code kill -9}, cut off) and from damage (skipped to the next intact record, its bytes counted). The segment keeps
 * an index of its records' offsets and lengths, so that the queue reads any of them with one positional read.
 * Not thread-safe: the queue guards it.
 */
final class QueueSegment implements AutoCloseable {

    static final int MAGIC = 0x46575131; // "FWQ1"
    static final int HEADER_BYTES = 12; // magic, sequence
    static final int MARKER = 0x46776431; // "Fwd1"
    static final int FRAME_BYTES = 12; // marker, length, checksum
    /** Far above any export the server accepts; a larger length can only be damage. */
    static final int MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

    final long sequence;
    final Path path;
    private final FileChannel channel;
    private long end;
    /**
     * Whether the channel's own position is {@link #end}: appends write at the channel's position (a gathering
     * write has no positional form), which each append leaves at the end; set again only after a failure, so that
     * an append is one system call, not a seek and a write.
     */
    private boolean atEnd;
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private int count;
    /** Bytes of damage skipped when the segment was read at start. */
    final long damagedBytes;
    /** Whether the end of the file was not an intact record: a write cut short. */
    final boolean tornTail;

    private QueueSegment(long sequence, Path path, FileChannel channel, long end, long damagedBytes,
                         boolean tornTail) {
        this.sequence = sequence;
        this.path = path;
        this.channel = channel;
        this.end = end;
        this.damagedBytes = damagedBytes;
        this.tornTail = tornTail;
    }

    static Path pathOf(Path directory, long sequence) {
        return directory.resolve(String.format("queue-%012d.bin", sequence));
    }

    /** The sequence number in a segment's file name, or -1 for any other file. */
    static long sequenceOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith("queue-") || !name.endsWith(".bin")) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring("queue-".length(), name.length() - ".bin".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static QueueSegment create(Path directory, long sequence) throws IOException {
        Path path = pathOf(directory, sequence);
        FileChannel channel = AtomicFiles.openPrivate(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            channel.truncate(0);
            writeFully(channel, ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putLong(sequence).flip(), 0);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new QueueSegment(sequence, path, channel, HEADER_BYTES, 0, false);
    }

    /**
     * Reads an existing segment's records into its index. A file too short for its header or with another magic
     * holds nothing we can read: it is opened empty, its bytes counted as damage.
     */
    static QueueSegment open(Path path, long sequence) throws IOException {
        FileChannel channel = AtomicFiles.openPrivate(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(path + " is larger than a queue segment can be");
            }
            byte[] content = new byte[(int) size];
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
                // read it all
            }
            ByteBuffer view = ByteBuffer.wrap(content);
            if (size < HEADER_BYTES || view.getInt(0) != MAGIC || view.getLong(4) != sequence) {
                var empty = new QueueSegment(sequence, path, channel, HEADER_BYTES, size, size > 0);
                channel.truncate(0);
                writeFully(channel, ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putLong(sequence).flip(), 0);
                return empty;
            }
            var offsets = new int[64];
            var lengths = new int[64];
            int count = 0;
            long damaged = 0;
            int position = HEADER_BYTES;
            int lastEnd = HEADER_BYTES;
            while (position + FRAME_BYTES <= size) {
                int length = intactLength(content, position);
                if (length < 0) {
                    position++; // damage: look for the next intact record
                    continue;
                }
                damaged += position - lastEnd;
                if (count == offsets.length) {
                    offsets = Arrays.copyOf(offsets, count * 2);
                    lengths = Arrays.copyOf(lengths, count * 2);
                }
                offsets[count] = position;
                lengths[count] = length;
                count++;
                position += FRAME_BYTES + length;
                lastEnd = position;
            }
            boolean torn = lastEnd < size;
            channel.truncate(lastEnd); // appends never follow bytes that might not read back
            var segment = new QueueSegment(sequence, path, channel, lastEnd, damaged, torn);
            segment.offsets = offsets;
            segment.lengths = lengths;
            segment.count = count;
            return segment;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The payload's length when an intact record starts at {@code position}, else -1. */
    private static int intactLength(byte[] content, int position) {
        return intactLength(content, position, content.length);
    }

    /** As above, for a record that must end by {@code limit}. */
    private static int intactLength(byte[] content, int position, int limit) {
        ByteBuffer view = ByteBuffer.wrap(content);
        if (view.getInt(position) != MARKER) {
            return -1;
        }
        int length = view.getInt(position + 4);
        if (length < 1 || length > MAX_PAYLOAD_BYTES || (long) position + FRAME_BYTES + length > limit) {
            return -1;
        }
        return checksum(content, position + 4, length) == view.getInt(position + 8) ? length : -1;
    }

    /** CRC32C of the length field and the payload that follows the checksum. */
    private static int checksum(byte[] bytes, int lengthAt, int payloadLength) {
        var crc = new CRC32C();
        crc.update(bytes, lengthAt, 4);
        crc.update(bytes, lengthAt + 8, payloadLength);
        return (int) crc.getValue();
    }

    /** Frames a record: the bytes an append writes for it. */
    static byte[] frame(Signal signal, byte[] body) {
        ByteBuffer framed = ByteBuffer.allocate(FRAME_BYTES + 1 + body.length);
        frame(framed, signal, body, new CRC32C());
        return framed.put(body).array();
    }

    /**
     * Appends the records {@code exports[from, to)} with as few writes as {@code staging} allows: each framed into it
     * after the one before, written when it is full and at the end (one larger than it goes by itself, with a
     * gathering write of its frame and its body where it is). In the page cache when this returns, so they survive the
     * process's death (not the machine's). A failed write is cut off again, with every record of the call: none of
     * them is in the segment then.
     */
    void append(List<ForwardQueue.Export> exports, int from, int to, ByteBuffer staging, CRC32C crc)
            throws IOException {
        long start = end;
        try {
            if (!atEnd) {
                channel.position(end);
                atEnd = true;
            }
            staging.clear();
            for (int i = from; i < to; i++) {
                ForwardQueue.Export export = exports.get(i);
                byte[] body = export.body();
                int framed = FRAME_BYTES + 1 + body.length;
                if (framed > staging.remaining()) {
                    writeAll(staging);
                }
                if (framed > staging.capacity()) {
                    byte[] header = new byte[FRAME_BYTES + 1];
                    frame(ByteBuffer.wrap(header), export.signal(), body, crc);
                    long length = FRAME_BYTES + 1L + body.length;
                    ByteBuffer[] record = {ByteBuffer.wrap(header), ByteBuffer.wrap(body)};
                    for (long written = 0; written < length; ) {
                        written += channel.write(record);
                    }
                } else {
                    frame(staging, export.signal(), body, crc);
                    staging.put(body);
                }
            }
            writeAll(staging);
        } catch (IOException e) {
            atEnd = false;
            try {
                channel.truncate(start);
            } catch (IOException ignored) {
                // the next open cuts the torn tail off
            }
            throw e;
        }
        for (int i = from; i < to; i++) { // written: now in the index
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            int length = 1 + exports.get(i).body().length;
            offsets[count] = (int) end;
            lengths[count] = length;
            count++;
            end += FRAME_BYTES + length;
        }
    }

    /** Puts a record's frame and signal byte: marker, length, CRC32C of the length, the signal and the body. */
    private static void frame(ByteBuffer into, Signal signal, byte[] body, CRC32C crc) {
        int length = 1 + body.length;
        crc.reset();
        crc.update(length >>> 24);
        crc.update(length >>> 16);
        crc.update(length >>> 8);
        crc.update(length);
        crc.update(signal.ordinal());
        crc.update(body, 0, body.length);
        into.putInt(MARKER).putInt(length).putInt((int) crc.getValue()).put((byte) signal.ordinal());
    }

    /** Writes what the staging buffer holds at the channel's position, and empties it. */
    private void writeAll(ByteBuffer staging) throws IOException {
        staging.flip();
        while (staging.hasRemaining()) {
            channel.write(staging);
        }
        staging.clear();
    }

    /**
     * Reads {@code length} bytes from {@code position} into {@code into}: the records of a batch, one after the other,
     * with one positional read. Safe from any thread, so that the sender reads without holding the queue's lock;
     * returns how many bytes there were (fewer when the file ends sooner); throws once the segment is deleted.
     */
    int read(long position, byte[] into, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.position();
    }

    /**
     * The signal of the record framed at {@code at} in {@code bytes} with the payload length the index holds for it,
     * or null when it no longer checks out (damage since it was written); its body follows the signal's byte.
     */
    static Signal intactRecord(byte[] bytes, int at, int length) {
        if (at + FRAME_BYTES + length > bytes.length || intactLength(bytes, at, at + FRAME_BYTES + length) != length) {
            return null;
        }
        int signal = bytes[at + FRAME_BYTES];
        return signal < 0 || signal >= Signal.values().length ? null : Signal.values()[signal];
    }

    /** A record's payload length. */
    int length(int index) {
        return lengths[index];
    }

    int offset(int index) {
        return offsets[index];
    }

    /** The first record at or after the offset; {@link #count()} when none is. */
    int indexAt(long offset) {
        int found = Arrays.binarySearch(offsets, 0, count, (int) Math.min(offset, Integer.MAX_VALUE));
        return found >= 0 ? found : -found - 1;
    }

    int count() {
        return count;
    }

    long size() {
        return end;
    }

    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }
}
