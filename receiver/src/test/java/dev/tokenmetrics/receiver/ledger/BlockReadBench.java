package dev.tokenmetrics.receiver.ledger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Optional;

/**
 * What {@link LedgerReader#block} costs the metrics file's writes, on a ledger such as {@link LedgerYear} writes:
 * with the ledger unchanged (every heartbeat, and every write while nothing reached the ledger), and after a change
 * (it reads the request times of {@link LedgerReader#BLOCK_LOOK_BACK} and sums the block). The floor, measured in
 * the same run: counting the same look-back's rows through the same index, the least a read of them costs. The
 * ledger is changed between reads by a commit to a table of the benchmark's own, so its requests stay as written.
 * Prints one line of figures for bench/block-bench.sh.
 *
 * <p>Usage: {@code BlockReadBench <usage.db> [rounds, default 200]}
 */
public final class BlockReadBench {

    private BlockReadBench() {
    }

    public static void main(String[] args) throws Exception {
        Path database = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
             LedgerReader reader = LedgerReader.open(database);
             Connection floor = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath())) {
            long now = latest(writer) + 60_000;
            try (Statement statement = writer.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS bench_tick (n INTEGER)");
            }
            PreparedStatement tick = writer.prepareStatement("INSERT INTO bench_tick VALUES (?)");
            PreparedStatement count = floor.prepareStatement("SELECT count(*) FROM requests WHERE time_ms >= ?");
            long from = now - LedgerReader.BLOCK_LOOK_BACK.toMillis();
            long rows = 0;
            Optional<LedgerBlock> block = Optional.empty();
            long[] changed = new long[rounds];
            long[] unchanged = new long[rounds];
            long[] floors = new long[rounds];
            for (int i = -10; i < rounds; i++) { // 10 warm-up rounds
                tick.setInt(1, i);
                tick.executeUpdate();
                long start = System.nanoTime();
                block = reader.block(now);
                long read = System.nanoTime() - start;
                start = System.nanoTime();
                reader.block(now);
                long cached = System.nanoTime() - start;
                start = System.nanoTime();
                count.setLong(1, from);
                try (ResultSet result = count.executeQuery()) {
                    rows = result.getLong(1);
                }
                long least = System.nanoTime() - start;
                if (i >= 0) {
                    changed[i] = read;
                    unchanged[i] = cached;
                    floors[i] = least;
                }
            }
            LedgerBlock found = block.orElseThrow(() -> new IllegalStateException("no active block at the end"));
            System.out.printf("look_back_rows=%d block_requests=%d changed_ms=%.2f unchanged_ms=%.3f floor_ms=%.2f"
                            + " changed_over_floor=%.1f%n", rows, found.requests(), median(changed) / 1e6,
                    median(unchanged) / 1e6, median(floors) / 1e6, (double) median(changed) / median(floors));
        }
    }

    private static long latest(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT max(time_ms) FROM requests")) {
            return result.getLong(1);
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
