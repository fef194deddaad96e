package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What forwarding costs per export (bench/forward-bench.sh), for Claude Code's recorded metrics export: on the
 * acknowledgement's path, one {@link ForwardQueue#append} per export (frame, CRC32C, one write), and appends of
 * commit groups of {@value #GROUP} exports (one write each, as the journal's committer makes them under load), against
 * the floor of a plain write of the same bytes at the end of a file, measured in the same rounds, interleaved; on the
 * sender's thread,
 * reading a batch back, stamping the resource attributes and gzip at level 1, per export (the HTTP post aside).
 * Prints the medians over the rounds, in microseconds, and the append's ratio to the floor.
 * Usage: BenchForwardQueue DIR [rounds, default 7] [exports per round, default 10000]
 */
public final class BenchForwardQueue {

    static final int GROUP = 8;

    private BenchForwardQueue() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int exports = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        byte[] export;
        try (InputStream in = BenchForwardQueue.class.getResourceAsStream("/claude-code/cc-2.1.330-metrics-cumulative.pb")) {
            export = in.readAllBytes();
        }
        byte[] framed = QueueSegment.frame(Signal.METRICS, export);
        var stamp = new ResourceStamp(Map.of("host.name", "bench-host", "user.name", "bench"));
        var request = new ReusableBytes(64 * 1024, 2 << 20);
        var compressed = new ReusableBytes(64 * 1024, 2 << 20);
        var gzip = new Gzip();
        double[] floor = new double[rounds];
        double[] append = new double[rounds];
        double[] grouped = new double[rounds];
        List<ForwardQueue.Export> group = java.util.Collections.nCopies(GROUP, new ForwardQueue.Export(Signal.METRICS,
                export));
        double[] sender = new double[rounds];
        for (int round = -1; round < rounds; round++) { // round -1 warms up
            Files.createDirectories(dir);
            double floorMicros = floor(dir.resolve("floor.bin"), framed, exports);
            double appendMicros;
            double groupedMicros;
            try (var queue = ForwardQueue.open(dir.resolve("grouped"), 1L << 30)) {
                long start = System.nanoTime();
                for (int i = 0; i < exports; i += GROUP) {
                    queue.append(group);
                }
                groupedMicros = (System.nanoTime() - start) / 1e3 / exports;
            }
            double senderMicros;
            try (var queue = ForwardQueue.open(dir.resolve("queue"), 1L << 30)) {
                long start = System.nanoTime();
                for (int i = 0; i < exports; i++) {
                    queue.append(Signal.METRICS, export);
                }
                appendMicros = (System.nanoTime() - start) / 1e3 / exports;
                start = System.nanoTime();
                int sent = 0;
                long bytes = 0;
                ForwardQueue.Batch batch;
                while ((batch = queue.next(Forwarder.BATCH_RECORDS, Forwarder.BATCH_BYTES, 0)) != null) {
                    request.reset(); // as Forwarder and Upstream build a request: into arrays they keep
                    for (int i = 0; i < batch.size(); i++) {
                        stamp.apply(batch.array(), batch.offset(i), batch.offset(i) + batch.length(i), request);
                    }
                    compressed.reset();
                    gzip.compress(request.array(), 0, request.size(), compressed);
                    bytes += compressed.size();
                    sent += batch.size();
                    queue.acknowledge(batch);
                }
                senderMicros = (System.nanoTime() - start) / 1e3 / sent;
                if (sent != exports || bytes == 0) {
                    throw new IllegalStateException("read back " + sent + " of " + exports);
                }
            }
            delete(dir);
            if (round >= 0) {
                floor[round] = floorMicros;
                append[round] = appendMicros;
                grouped[round] = groupedMicros;
                sender[round] = senderMicros;
            }
        }
        System.out.printf("forwarding, per export of %d bytes (%d rounds of %d, medians):%n", export.length, rounds,
                exports);
        System.out.printf("  floor: write of the framed bytes  %7.2f us%n", median(floor));
        System.out.printf("  queue append (acknowledgement)    %7.2f us   ratio to the floor %.2f%n", median(append),
                median(ratios(append, floor)));
        System.out.printf("  queue append, groups of %d         %7.2f us   ratio to the floor %.2f%n", GROUP,
                median(grouped), median(ratios(grouped, floor)));
        System.out.printf("  sender: read, stamp, gzip         %7.2f us%n", median(sender));
    }

    private static double floor(Path file, byte[] framed, int exports) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            long position = 0;
            long start = System.nanoTime();
            for (int i = 0; i < exports; i++) {
                byte[] copy = Arrays.copyOf(framed, framed.length); // as the queue frames a new array per export
                ByteBuffer buffer = ByteBuffer.wrap(copy);
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
            }
            return (System.nanoTime() - start) / 1e3 / exports;
        }
    }

    private static double[] ratios(double[] a, double[] b) {
        double[] ratios = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ratios[i] = a[i] / b[i];
        }
        return ratios;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void delete(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
