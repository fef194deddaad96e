package dev.tokenmetrics.receiver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment of the journal: an append-only file of records behind a header holding the segment's sequence number.
 * Each record is framed as a marker, the segment's sequence number, the payload's length and a CRC32C of those and
 * the payload, so that reading can tell three things apart:
 * <ul>
 * <li>an intact record of this segment;</li>
 * <li>the end of what was written: end of file, or the frame of zeros that every write leaves after its last
 * record (covered segments are recycled rather than deleted, since freeing blocks on a filesystem mounted with
 * {@code discard} stalls the next fsync for a hundred milliseconds or more, so a reused file still holds its old
 * records, and only the zeros tell where the new ones end);</li>
 * <li>damage: anything else. Reading skips to the next intact record of this segment (found by its marker) and
 * reports what it skipped, so one bad byte costs one record, never the rest of the segment.</li>
 * </ul>
 * A write that fails is cut off again (truncated), and the store then leaves the segment for a new one: nothing is
 * ever appended behind bytes that might not read back. Segments of the first format (no marker, no sequence in the
 * frame) are still read, stopping at the first bad record as that format always did.
 * Not thread-safe: one committer thread owns an open segment.
 */
final class Journal implements AutoCloseable {

    private static final int MAGIC_V1 = 0x544A5247; // "TJRG"
    private static final int MAGIC = 0x544A5232; // "TJR2"
    private static final int HEADER_BYTES = 12;
    private static final int RECORD_MARKER = 0x52656331; // "Rec1"
    private static final int FRAME_BYTES = 20; // marker, sequence, length, checksum
    private static final int V1_FRAME_BYTES = 8; // length, checksum
    /** Far above any real batch; a larger length can only be corruption. */
    private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    /** Opens a segment's file for reading and writing; tests substitute one that fails on demand. */
    interface Opener {
        Opener FILES = path -> AtomicFiles.openPrivate(path, StandardOpenOption.READ, StandardOpenOption.WRITE);

        FileChannel open(Path path) throws IOException;
    }

    /**
     * A stretch of a segment that could not be read; {@code atEnd} when no intact record of the segment follows;
     * {@code offset} -1 for a record whose frame checks out but whose batch does not decode.
     */
    record Damage(Path segment, long offset, long bytes, boolean atEnd) {
        @Override
        public String toString() {
            if (offset < 0) {
                return segment.getFileName() + ": a record of " + bytes + " bytes that checks out but does not decode";
            }
            return segment.getFileName() + ": " + bytes + " unreadable bytes at offset " + offset
                    + (atEnd ? " (the segment's end: a write cut short by a crash, never acknowledged, or damage)"
                    : " (damage: the records there are lost, those after it were read)");
        }
    }

    /** What a segment holds: its intact records in order, and what could not be read. */
    record Contents(List<byte[]> records, List<Damage> damage) {
    }

    private final FileChannel channel;
    private final long sequence;
    private long end = HEADER_BYTES;

    private Journal(FileChannel channel, long sequence) {
        this.channel = channel;
        this.sequence = sequence;
    }

    static Path pathOf(Path directory, long sequence) {
        return directory.resolve(String.format("journal-%012d.bin", sequence));
    }

    /** The segment's sequence number from its file name, or -1 for any other file. */
    static long sequenceOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith("journal-") || !name.endsWith(".bin")) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring("journal-".length(), name.length() - ".bin".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Starts an empty segment, in the recycled file when one is given (renamed into place), else in a new file, and
     * makes it durable.
     */
    static Journal create(Path directory, long sequence, Path recycled, Opener opener) throws IOException {
        Path path = pathOf(directory, sequence);
        if (recycled != null) {
            Files.move(recycled, path, StandardCopyOption.ATOMIC_MOVE);
        }
        FileChannel channel = opener.open(path);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES + FRAME_BYTES).putInt(MAGIC).putLong(sequence)
                    .position(HEADER_BYTES + FRAME_BYTES).flip();
            while (header.hasRemaining()) {
                channel.write(header, header.position());
            }
            channel.force(true);
            AtomicFiles.forceDirectory(directory);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new Journal(channel, sequence);
    }

    /**
     * Reads a whole segment (a few megabytes at most). A damaged header is reported and the records are read with
     * the sequence number from the file's name.
     */
    static Contents read(Path path) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path));
        long sequence = sequenceOf(path);
        var damage = new ArrayList<Damage>();
        if (bytes.capacity() >= HEADER_BYTES && bytes.getInt(0) == MAGIC_V1 && bytes.getLong(4) == sequence) {
            return new Contents(readV1(bytes, sequence), damage);
        }
        if (bytes.capacity() < HEADER_BYTES) {
            if (!allZero(bytes, 0, bytes.capacity())) {
                damage.add(new Damage(path, 0, bytes.capacity(), true));
            }
            return new Contents(List.of(), damage);
        }
        if (bytes.getInt(0) != MAGIC || bytes.getLong(4) != sequence) {
            damage.add(new Damage(path, 0, HEADER_BYTES, false));
        }
        var records = new ArrayList<byte[]>();
        var crc = new CRC32C();
        int position = HEADER_BYTES;
        while (position < bytes.capacity()) {
            int length = frameAt(bytes, position, sequence, crc);
            if (length > 0) {
                byte[] record = new byte[length - FRAME_BYTES];
                bytes.get(position + FRAME_BYTES, record);
                records.add(record);
                position += length;
                continue;
            }
            if (length == END) {
                break;
            }
            int next = nextFrame(bytes, position + 1, sequence, crc);
            if (next < 0) {
                damage.add(new Damage(path, position, endOfWritten(bytes, position + 1) - position, true));
                break;
            }
            damage.add(new Damage(path, position, next - position, false));
            position = next;
        }
        return new Contents(records, damage);
    }

    private static final int END = 0;
    private static final int BAD = -1;

    /**
     * The length of the intact frame of this segment at the position; {@link #END} where writing stopped (end of
     * file, zeros, or an intact frame of an older use of the file); {@link #BAD} otherwise.
     */
    private static int frameAt(ByteBuffer bytes, int position, long sequence, CRC32C crc) {
        int available = bytes.capacity() - position;
        if (available < FRAME_BYTES) {
            return allZero(bytes, position, available) ? END : BAD;
        }
        if (bytes.getInt(position) != RECORD_MARKER) {
            return allZero(bytes, position, FRAME_BYTES) ? END : BAD;
        }
        long frameSequence = bytes.getLong(position + 4);
        int length = bytes.getInt(position + 12);
        if (length < 0 || length > MAX_RECORD_BYTES || length > available - FRAME_BYTES
                || checksum(crc, frameSequence, bytes, position + FRAME_BYTES, length) != bytes.getInt(position + 16)) {
            return BAD;
        }
        return frameSequence == sequence ? FRAME_BYTES + length : END;
    }

    /** The position of the next intact frame of this segment at or after {@code from}, or -1. */
    private static int nextFrame(ByteBuffer bytes, int from, long sequence, CRC32C crc) {
        for (int position = from; position <= bytes.capacity() - FRAME_BYTES; position++) {
            if (bytes.get(position) == (byte) (RECORD_MARKER >>> 24) && bytes.getInt(position) == RECORD_MARKER
                    && frameAt(bytes, position, sequence, crc) > 0) {
                return position;
            }
        }
        return -1;
    }

    /** Where the unreadable tail that starts before {@code from} ends: at a frame of zeros, or the file's end. */
    private static int endOfWritten(ByteBuffer bytes, int from) {
        for (int position = from; position <= bytes.capacity() - FRAME_BYTES; position++) {
            if (bytes.get(position) == 0 && allZero(bytes, position, FRAME_BYTES)) {
                return position;
            }
        }
        return bytes.capacity();
    }

    private static boolean allZero(ByteBuffer bytes, int position, int length) {
        for (int i = position; i < position + length; i++) {
            if (bytes.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The first format: records until the first that does not check out, which ends the segment. */
    private static List<byte[]> readV1(ByteBuffer bytes, long sequence) {
        var records = new ArrayList<byte[]>();
        var crc = new CRC32C();
        int position = HEADER_BYTES;
        while (position + V1_FRAME_BYTES <= bytes.capacity()) {
            int length = bytes.getInt(position);
            if (length < 0 || length > bytes.capacity() - position - V1_FRAME_BYTES) {
                break;
            }
            crc.reset();
            for (int shift = 56; shift >= 0; shift -= 8) {
                crc.update((int) (sequence >>> shift));
            }
            crc.update(bytes.array(), position + V1_FRAME_BYTES, length);
            if ((int) crc.getValue() != bytes.getInt(position + 4)) {
                break;
            }
            byte[] record = new byte[length];
            bytes.get(position + V1_FRAME_BYTES, record);
            records.add(record);
            position += V1_FRAME_BYTES + length;
        }
        return records;
    }

    long sequence() {
        return sequence;
    }

    /** Bytes written to this segment so far. */
    long size() {
        return end;
    }

    /**
     * Appends the records and forces them to disk: when this returns they survive a crash. When it throws, what it
     * may have written has been cut off again where that could be done; the segment must not be appended to again.
     */
    void appendDurably(List<byte[]> records) throws IOException {
        int bytes = 0;
        for (byte[] record : records) {
            bytes += FRAME_BYTES + record.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(bytes + FRAME_BYTES); // and the end's frame of zeros
        var crc = new CRC32C();
        for (byte[] record : records) {
            buffer.putInt(RECORD_MARKER).putLong(sequence).putInt(record.length)
                    .putInt(checksum(crc, sequence, ByteBuffer.wrap(record), 0, record.length)).put(record);
        }
        buffer.position(buffer.capacity()).flip();
        long start = end;
        try {
            long position = start;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
            end = start + bytes; // the next write goes over the zeros
        } catch (IOException e) {
            try {
                channel.truncate(start); // shrinking needs no free space
                channel.force(false);
            } catch (IOException | RuntimeException cutOff) {
                e.addSuppressed(cutOff);
            }
            throw e;
        }
    }

    private static int checksum(CRC32C crc, long sequence, ByteBuffer payload, int offset, int length) {
        crc.reset();
        for (int shift = 56; shift >= 0; shift -= 8) {
            crc.update((int) (sequence >>> shift));
        }
        for (int shift = 24; shift >= 0; shift -= 8) {
            crc.update(length >>> shift);
        }
        crc.update(payload.slice(offset, length));
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
