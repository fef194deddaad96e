package dev.tokenmetrics.receiver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment of the journal: an append-only file of records, each framed as length, CRC32C and payload, behind a
 * header holding the segment's sequence number. A crash can leave a torn record at the end; reading the segment
 * drops it, since nothing in it was acknowledged. Not thread-safe: one committer thread owns it.
 */
final class Journal implements AutoCloseable {

    private static final int MAGIC = 0x544A5247; // "TJRG"
    private static final int HEADER_BYTES = 12;
    private static final int FRAME_BYTES = 8;
    /** Far above any real batch; a larger length can only be corruption. */
    private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long sequence;

    private Journal(Path path, FileChannel channel, long sequence) {
        this.path = path;
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

    /** Creates an empty segment and makes its existence durable. */
    static Journal create(Path directory, long sequence) throws IOException {
        Path path = pathOf(directory, sequence);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(path, AtomicFiles.OWNER_ONLY);
            channel.write(ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putLong(sequence).flip());
            channel.force(true);
            AtomicFiles.forceDirectory(directory);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new Journal(path, channel, sequence);
    }

    /** The intact records of a segment, cutting off a torn tail; none when the header itself is torn. */
    static List<byte[]> read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            if (channel.read(header, 0) != HEADER_BYTES || header.getInt(0) != MAGIC) {
                return List.of();
            }
            return readRecords(channel);
        }
    }

    private static List<byte[]> readRecords(FileChannel channel) throws IOException {
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
            crc.reset();
            crc.update(payload.array());
            if ((int) crc.getValue() != checksum) {
                break;
            }
            records.add(payload.array());
            position += FRAME_BYTES + length;
        }
        channel.truncate(position); // a torn tail from a crash was never acknowledged
        channel.position(position);
        return records;
    }

    long sequence() {
        return sequence;
    }

    long size() throws IOException {
        return channel.size();
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
            crc.reset();
            crc.update(record);
            buffer.putInt(record.length).putInt((int) crc.getValue()).put(record);
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(false);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

}
