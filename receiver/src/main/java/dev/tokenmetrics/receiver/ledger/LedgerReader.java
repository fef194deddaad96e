package dev.tokenmetrics.receiver.ledger;

import java.io.IOException;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * Reads the ledger's totals for scrapes, and for the metrics file its sessions' sums and the current 5-hour block
 * ({@link #block}), on a read-only connection of its own: WAL lets it read while the writer writes. The all-time
 * totals come from {@code usage_totals}, which triggers keep equal to the sums over {@code requests}, so a scrape
 * costs the same whatever the history's length.
 * <p>
 * A request's project and branch are often learned after it is recorded: telemetry sees it first, its transcript
 * (cwd, git branch) is read within a minute. So that a counter's labels never change under it (Prometheus would read
 * the drop as a reset), a request whose place is unknown is left out of the totals until it has one or is {@link
 * #SETTLE} old, when it counts with an empty project and branch.
 */
public final class LedgerReader implements AutoCloseable {

    /** Totals per model, project and git branch; the labels of the usage counters. */
    public record Total(String model, String project, String gitBranch, long input, long output, long cacheRead,
                        long cacheCreation, double costUsd, long requests) {
    }

    /** Everything the ledger holds, summed; {@code sessions} counts distinct sessions. */
    public record Totals(List<Total> byLabels, long sessions) {
        public Totals {
            byLabels = List.copyOf(byLabels);
        }
    }

    /** Tokens and priced cost of the requests made since an instant. */
    public record Window(long tokens, double costUsd) {
    }

    /** A session's sums over every row the ledger holds for it (requests and what the metrics add). */
    public record SessionTotal(long input, long output, long cacheRead, long cacheCreation, BigDecimal costUsd) {
    }

    /**
     * How far back {@link #block} reads request times to find where the current chain of 5-hour blocks began: the
     * chain is exact when the ledger has a pause of over 5 hours within it (a night), as nearly everyone's has.
     */
    public static final java.time.Duration BLOCK_LOOK_BACK = java.time.Duration.ofHours(48);

    /** How long a request whose place is unknown waits for its transcript: the scan runs every minute. */
    public static final java.time.Duration SETTLE = java.time.Duration.ofMinutes(3);

    private static final String TOTALS = """
            SELECT model, project, git_branch, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
                   cost_usd, requests
            FROM usage_totals WHERE requests > 0 ORDER BY 1, 2, 3""";
    private static final String UNSETTLED = """
            SELECT model, sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_creation_tokens),
                   total(cost_usd), count(*)
            FROM requests WHERE time_ms > ? AND project IS NULL AND cwd IS NULL AND source <> 'metrics'
            GROUP BY model""";
    private static final String WINDOW = """
            SELECT total(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens), total(cost_usd)
            FROM requests WHERE time_ms >= ?""";

    // a cost is an exact decimal as TEXT: times 1e12 and rounded, an integer of picodollars, summed exactly (as the
    // reports sum it)
    private static final String BLOCK_SUMS = """
            SELECT count(*), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_creation_tokens),
                   sum(CAST(round(cost_usd * 1e12) AS INTEGER)), sum(cost_usd IS NULL), max(time_ms)
            FROM requests WHERE time_ms >= ?""";

    private final Connection connection;
    private final PreparedStatement totals;
    private final PreparedStatement unsettled;
    private final PreparedStatement sessions;
    private final PreparedStatement window;
    private final PreparedStatement dataVersion;
    private final PreparedStatement blockTimes;
    private final PreparedStatement blockSums;
    private long blockAtVersion = Long.MIN_VALUE;
    private LedgerBlock lastBlock;
    private long sessionsAtVersion = Long.MIN_VALUE;
    private long sessionCount;
    private static final int SESSIONS_PER_QUERY = 500;
    private long sessionTotalsAtVersion = Long.MIN_VALUE;
    private List<String> sessionTotalsOf = List.of();
    private Map<String, SessionTotal> sessionTotals = Map.of();

    private LedgerReader(Connection connection) throws SQLException {
        this.connection = connection;
        this.totals = connection.prepareStatement(TOTALS);
        this.unsettled = connection.prepareStatement(UNSETTLED);
        // session_days: a row per session, model and day rather than per request
        this.sessions = connection.prepareStatement(
                "SELECT count(DISTINCT session_id) FROM session_days WHERE rows > 0");
        this.window = connection.prepareStatement(WINDOW);
        this.dataVersion = connection.prepareStatement("PRAGMA data_version");
        this.blockTimes = connection.prepareStatement(
                "SELECT time_ms FROM requests WHERE time_ms >= ? ORDER BY time_ms");
        this.blockSums = connection.prepareStatement(BLOCK_SUMS);
    }

    /** Opens the ledger the writer created, read-only. */
    public static LedgerReader open(Path database) throws IOException {
        var config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5000);
        try {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath(),
                    config.toProperties());
            try (Statement statement = connection.createStatement()) {
                // Reads rollups and the last hours' rows: a small cache (SQLite's default is 2 MB a connection).
                statement.execute("PRAGMA cache_size = -256");
            }
            try (Statement statement = connection.createStatement();
                 ResultSet version = statement.executeQuery("PRAGMA user_version")) {
                if (version.getInt(1) > LedgerSchema.VERSION) {
                    throw new SQLException("written by a newer version (schema " + version.getInt(1) + ")");
                }
                return new LedgerReader(connection);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the ledger " + database + ": " + e.getMessage(), e);
        }
    }

    /** The all-time totals at {@code nowMillis}, without the requests still waiting for their place. */
    public synchronized Totals totals(long nowMillis) throws SQLException {
        var waiting = new java.util.HashMap<String, Total>();
        unsettled.setLong(1, nowMillis - SETTLE.toMillis());
        try (ResultSet result = unsettled.executeQuery()) {
            while (result.next()) {
                waiting.put(result.getString(1), new Total(result.getString(1), "", "", result.getLong(2),
                        result.getLong(3), result.getLong(4), result.getLong(5), result.getDouble(6),
                        result.getLong(7)));
            }
        }
        var rows = new ArrayList<Total>();
        try (ResultSet result = totals.executeQuery()) {
            while (result.next()) {
                var total = new Total(result.getString(1), result.getString(2), result.getString(3),
                        result.getLong(4), result.getLong(5), result.getLong(6), result.getLong(7),
                        result.getDouble(8), result.getLong(9));
                Total wait = total.project().isEmpty() && total.gitBranch().isEmpty()
                        ? waiting.get(total.model()) : null;
                if (wait != null) {
                    total = new Total(total.model(), "", "", total.input() - wait.input(),
                            total.output() - wait.output(), total.cacheRead() - wait.cacheRead(),
                            total.cacheCreation() - wait.cacheCreation(), total.costUsd() - wait.costUsd(),
                            total.requests() - wait.requests());
                }
                if (total.requests() > 0) {
                    rows.add(total);
                }
            }
        }
        return new Totals(rows, sessions());
    }

    /** Distinct sessions, counted again only when the database changed (SQLite's {@code data_version}). */
    private long sessions() throws SQLException {
        long version = dataVersion();
        if (version != sessionsAtVersion) {
            try (ResultSet result = sessions.executeQuery()) {
                sessionCount = result.getLong(1);
            }
            sessionsAtVersion = version;
        }
        return sessionCount;
    }

    /** The requests made at or after {@code fromMillis}: an index range, cheap at any history length. */
    public synchronized Window since(long fromMillis) throws SQLException {
        window.setLong(1, fromMillis);
        try (ResultSet result = window.executeQuery()) {
            return new Window((long) result.getDouble(1), result.getDouble(2));
        }
    }

    /**
     * The ledger's totals of the sessions named; those it has no row of are left out. Read again only when the
     * database changed since the last read of the same sessions (the metrics file is written up to five times a
     * second under load).
     */
    public synchronized Map<String, SessionTotal> sessions(Collection<String> ids) throws SQLException {
        long version = dataVersion();
        if (version == sessionTotalsAtVersion && ids.equals(sessionTotalsOf)) {
            return sessionTotals;
        }
        var totals = new HashMap<String, SessionTotal>();
        var chunk = new ArrayList<String>(SESSIONS_PER_QUERY);
        for (String id : ids) {
            chunk.add(id);
            if (chunk.size() == SESSIONS_PER_QUERY) {
                readSessions(chunk, totals);
                chunk.clear();
            }
        }
        if (!chunk.isEmpty()) {
            readSessions(chunk, totals);
        }
        sessionTotalsAtVersion = version;
        sessionTotalsOf = List.copyOf(ids);
        sessionTotals = Map.copyOf(totals);
        return sessionTotals;
    }

    private void readSessions(List<String> ids, Map<String, SessionTotal> into) throws SQLException {
        String sql = "SELECT session_id, sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
                + " sum(cache_creation_tokens), sum(cost_picos) FROM session_days WHERE session_id IN ("
                + "?, ".repeat(ids.size() - 1) + "?) GROUP BY session_id HAVING sum(rows) > 0";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < ids.size(); i++) {
                statement.setString(i + 1, ids.get(i));
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    into.put(result.getString(1), new SessionTotal(result.getLong(2), result.getLong(3),
                            result.getLong(4), result.getLong(5), BigDecimal.valueOf(result.getLong(6), 12)));
                }
            }
        }
    }

    /**
     * The machine's current 5-hour block ({@link LedgerBlock}: every row, telemetry's, transcripts' and metrics'),
     * or empty when no block is active at {@code nowMillis}. The ledger is read again only when it changed; the
     * clock alone ends a block. Request times are read back {@link #BLOCK_LOOK_BACK} at most; with no pause of
     * over 5 hours in that time, the chain is cut from the oldest of them.
     */
    public synchronized Optional<LedgerBlock> block(long nowMillis) throws SQLException {
        long version = dataVersion();
        if (version != blockAtVersion) {
            lastBlock = readLastBlock(nowMillis - BLOCK_LOOK_BACK.toMillis());
            blockAtVersion = version;
        }
        return lastBlock != null && lastBlock.activeAt(nowMillis) ? Optional.of(lastBlock) : Optional.empty();
    }

    private LedgerBlock readLastBlock(long fromMillis) throws SQLException {
        long[] times = new long[256];
        int count = 0;
        blockTimes.setLong(1, fromMillis);
        try (ResultSet result = blockTimes.executeQuery()) {
            while (result.next()) {
                if (count == times.length) {
                    times = Arrays.copyOf(times, count * 2);
                }
                times[count++] = result.getLong(1);
            }
        }
        if (count == 0) {
            return null;
        }
        LedgerBlock.Cut cut = LedgerBlock.lastBlock(times, count);
        // every row from the block's first request on is the block's: it is the last
        blockSums.setLong(1, cut.firstMillis());
        try (ResultSet result = blockSums.executeQuery()) {
            return new LedgerBlock(cut.startMillis(), cut.firstMillis(), result.getLong(8), result.getLong(1),
                    result.getLong(2), result.getLong(3), result.getLong(4), result.getLong(5), result.getLong(6),
                    result.getLong(7));
        }
    }

    private long dataVersion() throws SQLException {
        try (ResultSet result = dataVersion.executeQuery()) {
            return result.getLong(1);
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
