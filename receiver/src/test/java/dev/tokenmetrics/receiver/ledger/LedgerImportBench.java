package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.transcripts.TranscriptReader;
import dev.tokenmetrics.receiver.transcripts.TranscriptScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;

/**
 * One run of the ledger's first import, in a fresh JVM as a user's first start of the receiver would be: a history
 * of transcripts read into a new {@code usage.db} by the daemon's own {@link LedgerWriter} (which imports at start,
 * on its own thread), then re-scans of the unchanged history. Prints one line of figures for bench/ledger-bench.sh.
 *
 * <p>The writer starts its first import as it is built; asking it for an import then waits for that one and one
 * re-scan, so the first import's time is that wait less a re-scan's, measured right after.
 *
 * <p>Usage: {@code LedgerImportBench <projects dir> <usage.db, must not exist> [re-scans, default 5]
 * [reading threads, default 1 as in the daemon]}
 */
public final class LedgerImportBench {

    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private LedgerImportBench() {
    }

    public static void main(String[] args) throws IOException, SQLException {
        // from the process's start (to the kernel's 10 ms tick) to here: the JVM's own start
        long jvmStartMs = ProcessHandle.current().info().startInstant()
                .map(started -> System.currentTimeMillis() - started.toEpochMilli()).orElse(-1L);
        Path projects = Path.of(args[0]);
        Path database = Path.of(args[1]);
        int rescans = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        if (Files.exists(database)) {
            throw new IllegalArgumentException(database + " exists: the benchmark measures a first import");
        }
        var problems = new Problems();
        long start = System.nanoTime();
        double[] rescanMs = new double[rescans];
        long firstAndOneRescan;
        try (var writer = new LedgerWriter(Ledger.open(database), () -> {
            throw new IllegalStateException("a transcript import has no metrics");
        }, new TranscriptScanner(projects, new TranscriptReader(), threads), problems)) {
            require(writer.importTranscriptsNow(TIMEOUT), problems);
            firstAndOneRescan = System.nanoTime() - start;
            for (int i = 0; i < rescans; i++) {
                long at = System.nanoTime();
                require(writer.importTranscriptsNow(TIMEOUT), problems);
                rescanMs[i] = (System.nanoTime() - at) / 1e6;
            }
        }
        double rescan = median(rescanMs);
        double importMs = firstAndOneRescan / 1e6 - rescan;

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT count(*), count(DISTINCT transcript), sum(input_tokens), sum(output_tokens),"
                             + " sum(cache_read_tokens), sum(cache_creation_tokens),"
                             + " sum(cost_source = 'exact') FROM requests")) {
            // key=value pairs, for the script to pick from
            System.out.printf("rows=%d transcripts=%d exact_cost_rows=%d import_ms=%.1f rescan_ms=%.2f"
                            + " rescan_max_ms=%.2f jvm_start_ms=%d db_bytes=%d tokens=%d/%d/%d/%d%n",
                    result.getLong(1), result.getLong(2), result.getLong(7), importMs, rescan,
                    Arrays.stream(rescanMs).max().orElse(0), jvmStartMs, Files.size(database), result.getLong(3),
                    result.getLong(4), result.getLong(5), result.getLong(6));
        }
    }

    private static void require(boolean imported, Problems problems) {
        if (!imported) {
            throw new IllegalStateException("the import failed or timed out: " + problems.current());
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }
}
