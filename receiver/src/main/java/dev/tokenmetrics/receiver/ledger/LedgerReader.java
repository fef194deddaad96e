package dev.tokenmetrics.receiver.ledger;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * Reads the ledger's totals for scrapes, on a read-only connection of its own: WAL lets it read while the writer
 * writes. The all-time totals are read again only when the database changed since the last read (SQLite's {@code
 * data_version}), so that a scrape of an idle receiver costs nothing however long the history.
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

    private static final String TOTALS = """
            SELECT model, coalesce(project, cwd, ''), coalesce(git_branch, ''),
                   sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_creation_tokens),
                   total(cost_usd), count(*)
            FROM requests GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""";
    private static final String WINDOW = """
            SELECT total(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens), total(cost_usd)
            FROM requests WHERE time_ms >= ?""";

    private final Connection connection;
    private final PreparedStatement totals;
    private final PreparedStatement sessions;
    private final PreparedStatement window;
    private final PreparedStatement dataVersion;
    private long readAtVersion = Long.MIN_VALUE;
    private Totals cached;

    private LedgerReader(Connection connection) throws SQLException {
        this.connection = connection;
        this.totals = connection.prepareStatement(TOTALS);
        this.sessions = connection.prepareStatement("SELECT count(DISTINCT session_id) FROM requests");
        this.window = connection.prepareStatement(WINDOW);
        this.dataVersion = connection.prepareStatement("PRAGMA data_version");
    }

    /** Opens the ledger the writer created, read-only. */
    public static LedgerReader open(Path database) throws IOException {
        var config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5000);
        try {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath(),
                    config.toProperties());
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

    /** The all-time totals, read again only when the database changed. */
    public synchronized Totals totals() throws SQLException {
        long version;
        try (ResultSet result = dataVersion.executeQuery()) {
            version = result.getLong(1);
        }
        if (cached != null && version == readAtVersion) {
            return cached;
        }
        var rows = new ArrayList<Total>();
        try (ResultSet result = totals.executeQuery()) {
            while (result.next()) {
                rows.add(new Total(result.getString(1), result.getString(2), result.getString(3), result.getLong(4),
                        result.getLong(5), result.getLong(6), result.getLong(7), result.getDouble(8),
                        result.getLong(9)));
            }
        }
        long sessionCount;
        try (ResultSet result = sessions.executeQuery()) {
            sessionCount = result.getLong(1);
        }
        cached = new Totals(rows, sessionCount);
        readAtVersion = version;
        return cached;
    }

    /** The requests made at or after {@code fromMillis}: an index range, cheap at any history length. */
    public synchronized Window since(long fromMillis) throws SQLException {
        window.setLong(1, fromMillis);
        try (ResultSet result = window.executeQuery()) {
            return new Window((long) result.getDouble(1), result.getDouble(2));
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
