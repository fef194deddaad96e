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
 * One segment of the journal: an append-only file of records, each framed as length, CRC32C and payload, behind a
 * header holding the segment's sequence number. A crash can leave a torn record at the end; reading the segment
 * drops it, since nothing in it was acknowledged.
 * <p>
 * Covered segments are recycled rather than deleted: freeing blocks on a filesystem mounted with {@code discard}
 * stalls the next fsync for a hundred milliseconds or more. A recycled file still holds its old records, so each
 * record's checksum includes the segment's sequence number: a stale record fails it and ends the segment.
 * Not thread-safe: one committer thread owns an open segment.
 */
final class Journal implements AutoCloseable {

    private static final int MAGIC = 0x544A5247; // "TJRG"
    private static final int HEADER_BYTES = 12;
    private static final int FRAME_BYTES = 8;
    /** Far above any real batch; a larger length can only be corruption. */
    private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

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
    static Journal create(Path directory, long sequence, Path recycled) throws IOException {
        Path path = pathOf(directory, sequence);
        if (recycled != null) {
            Files.move(recycled, path, StandardCopyOption.ATOMIC_MOVE);
        }
        FileChannel channel = AtomicFiles.openPrivate(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            channel.write(ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putLong(sequence).flip(), 0);
            channel.force(true);
            AtomicFiles.forceDirectory(directory);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new Journal(channel, sequence);
    }

    /** The intact records of a segment, cutting off a torn tail; none when the header itself is torn. */
    static List<byte[]> read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            if (channel.read(header, 0) != HEADER_BYTES || header.getInt(0) != MAGIC
                    || header.getLong(4) != sequenceOf(path)) {
                return List.of();
            }
            return readRecords(channel, header.getLong(4));
        }
    }

    private static List<byte[]> readRecords(FileChannel channel, long sequence) throws IOException {
        var records = new ArrayList<byte[]>();
        long position = HEADER_BYTES;
        long size = channel.size();
        ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES);
        var crc = new CRC32C();
        while (position + FRAME_BYTES <= size) {
            frame.clear();
            channel.read(frame, position);
            int length = frame.getInt(0);
            int checksum = frame.getInt(4);
            if (length < 0 || length > MAX_RECORD_BYTES || position + FRAME_BYTES + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            channel.read(payload, position + FRAME_BYTES);
            if (checksum(crc, sequence, payload.array()) != checksum) {
                break; // torn, or a stale record from the file's previous use
            }
            records.add(payload.array());
            position += FRAME_BYTES + length;
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

    /** Appends the records and forces them to disk: when this returns they survive a crash. */
    void appendDurably(List<byte[]> records) throws IOException {
        int bytes = 0;
        for (byte[] record : records) {
            bytes += FRAME_BYTES + record.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(bytes);
        var crc = new CRC32C();
        for (byte[] record : records) {
            buffer.putInt(record.length).putInt(checksum(crc, sequence, record)).put(record);
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            end += channel.write(buffer, end);
        }
        channel.force(false);
    }

    private static int checksum(CRC32C crc, long sequence, byte[] payload) {
        crc.reset();
        for (int shift = 56; shift >= 0; shift -= 8) {
            crc.update((int) (sequence >>> shift));
        }
        crc.update(payload);
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

}
