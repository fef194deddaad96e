package dev.tokenmetrics.receiver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The disk's part of an acknowledgement, for the receiver benchmark (bench/receiver-bench.sh): the latency of
 * writing a 1 KB record and forcing it (fdatasync), as the journal's committer does, in a file whose blocks are
 * already written (as a recycled journal segment's are). Prints "p50 p99" in milliseconds.
 * Usage: BenchDisk DIRECTORY SECONDS
 */
public final class BenchDisk {

    private static final int FILE_BYTES = 8 << 20;
    private static final int RECORD_BYTES = 1024;

    private BenchDisk() {
    }

    /** Writes and forces zeros over the first {@code bytes}, so that later writes there allocate nothing. */
    public static void writeZeros(FileChannel channel, int bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (int offset = 0; offset < bytes; offset += chunk.capacity()) {
            channel.write(chunk.clear(), offset);
        }
        channel.force(true);
    }

    public static void main(String[] args) throws IOException {
        Path file = Files.createTempFile(Path.of(args[0]), "bench-disk-", ".bin");
        long seconds = Long.parseLong(args[1]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writeZeros(channel, FILE_BYTES);
            ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES);
            long[] latencies = new long[1 << 20];
            int count = 0;
            long position = 0;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end && count < latencies.length) {
                long start = System.nanoTime();
                channel.write(record.clear(), position);
                channel.force(false);
                latencies[count++] = System.nanoTime() - start;
                position = (position + RECORD_BYTES) % FILE_BYTES;
            }
            Arrays.sort(latencies, 0, count);
            System.out.printf("%.2f %.2f%n", latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6);
        } finally {
            Files.delete(file);
        }
    }
}
