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
 * An append-only file of records, each framed as length, CRC32C and payload, behind a header that names the
 * journal. A crash can leave a torn record at the end; opening the journal drops it, since nothing in it was
 * acknowledged. Not thread-safe: one committer thread owns it.
 */
final class Journal implements AutoCloseable {

    private static final int MAGIC = 0x544A524E; // "TJRN"
    private static final int HEADER_BYTES = 12;
    private static final int FRAME_BYTES = 8;
    /** Far above any real batch; a larger length can only be corruption. */
    private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long id;

    private Journal(Path path, FileChannel channel, long id) {
        this.path = path;
        this.channel = channel;
        this.id = id;
    }

    /** Opens the journal at {@code path}, returning it with the records it holds; creates it when absent or unreadable. */
    static Opened open(Path path, long newId) throws IOException {
        if (Files.exists(path)) {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            if (channel.read(header, 0) == HEADER_BYTES && header.getInt(0) == MAGIC) {
                long id = header.getLong(4);
                List<byte[]> records = readRecords(channel);
                return new Opened(new Journal(path, channel, id), records);
            }
            channel.close();
        }
        return new Opened(create(path, newId), List.of());
    }

    /** Replaces whatever is at {@code path} with an empty journal, atomically. */
    static Journal create(Path path, long id) throws IOException {
        Path temporary = path.resolveSibling(path.getFileName() + ".new");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putLong(id).flip());
            channel.force(true);
        }
        Files.setPosixFilePermissions(temporary, AtomicFiles.OWNER_ONLY);
        AtomicFiles.moveDurably(temporary, path);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.position(channel.size());
        return new Journal(path, channel, id);
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

    long id() {
        return id;
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

    record Opened(Journal journal, List<byte[]> records) {
    }
}
