package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.Prices;
import dev.tokenmetrics.receiver.pricing.TokenCounts;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.logging.Logger;

/**
 * The usage ledger: one row per Claude Code API request, in SQLite ({@code usage.db}, schema in docs/LEDGER.md).
 * Writing is idempotent: a row is keyed by the request's identity ({@link LedgerRow#key}), so the same request seen
 * again — an exporter's retry, a journal replayed after a crash, a transcript read again, or the same request seen
 * by telemetry and in a transcript (matched by the API's request-id) — is merged into its row, not added again. Telemetry's figures win over a
 * transcript's (they are what Claude Code billed); a transcript adds what telemetry does not know (cwd, git branch).
 * What Claude Code's metrics counted beyond a session and model's request rows is kept as that pair's
 * {@code metrics} rows (see {@link MetricUsage}), so that a session exporting metrics but no log events is whole.
 * Not thread-safe: one writer thread owns a ledger.
 */
public final class Ledger implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Ledger.class.getName());

    /** How a column merges when a request is seen again. */
    private enum Merge {
        KEY,
        /** Telemetry's value stands; otherwise the latest (a transcript's streamed message ends with its final usage). */
        TELEMETRY_WINS,
        /** The latest known value; a missing one keeps the earlier. */
        LATEST_KNOWN,
        /** The first known value. */
        FIRST_KNOWN
    }

    private record Column(String name, Merge merge) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("key", Merge.KEY),
            new Column("source", Merge.TELEMETRY_WINS),
            new Column("session_id", Merge.TELEMETRY_WINS),
            new Column("time_ms", Merge.TELEMETRY_WINS),
            new Column("model", Merge.TELEMETRY_WINS),
            new Column("input_tokens", Merge.TELEMETRY_WINS),
            new Column("output_tokens", Merge.TELEMETRY_WINS),
            new Column("cache_read_tokens", Merge.TELEMETRY_WINS),
            new Column("cache_creation_tokens", Merge.TELEMETRY_WINS),
            new Column("cache_creation_5m_tokens", Merge.TELEMETRY_WINS),
            new Column("cache_creation_1h_tokens", Merge.TELEMETRY_WINS),
            new Column("cost_usd", Merge.TELEMETRY_WINS),
            new Column("cost_source", Merge.TELEMETRY_WINS),
            new Column("request_id", Merge.LATEST_KNOWN),
            new Column("duration_ms", Merge.LATEST_KNOWN),
            new Column("ttft_ms", Merge.LATEST_KNOWN),
            new Column("query_source", Merge.LATEST_KNOWN),
            new Column("effort", Merge.LATEST_KNOWN),
            new Column("speed", Merge.LATEST_KNOWN),
            new Column("agent_name", Merge.LATEST_KNOWN),
            new Column("skill_name", Merge.LATEST_KNOWN),
            new Column("prompt_id", Merge.LATEST_KNOWN),
            new Column("user_id", Merge.LATEST_KNOWN),
            new Column("organization_id", Merge.LATEST_KNOWN),
            new Column("account_uuid", Merge.LATEST_KNOWN),
            new Column("terminal", Merge.LATEST_KNOWN),
            new Column("version", Merge.LATEST_KNOWN),
            new Column("project", Merge.FIRST_KNOWN),
            new Column("cwd", Merge.LATEST_KNOWN),
            new Column("git_branch", Merge.LATEST_KNOWN),
            new Column("message_id", Merge.LATEST_KNOWN),
            new Column("transcript", Merge.LATEST_KNOWN));

    private static final String UPSERT = upsert();

    private final Path file;
    private final Connection connection;
    private final PreparedStatement upsert;
    private final MetricUsage metricUsage;

    private Ledger(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.upsert = connection.prepareStatement(UPSERT);
        this.metricUsage = new MetricUsage(connection);
    }

    /** Opens (creating, and migrating to the current schema) the ledger at the path. */
    public static Ledger open(Path database) throws IOException {
        Files.createDirectories(database.toAbsolutePath().getParent());
        // Created here, 0600 and never through a link; SQLite gives its -wal and -shm files the same mode.
        AtomicFiles.openPrivate(database, StandardOpenOption.WRITE).close();
        try {
            var properties = new java.util.Properties();
            // sqlite-jdbc otherwise prepares and runs "SELECT last_insert_rowid()" after every INSERT it executes
            properties.setProperty("jdbc.get_generated_keys", "false");
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath(),
                    properties);
            try {
                try (Statement statement = connection.createStatement()) {
                    // WAL: readers (reports, the dashboard) never block the writer. NORMAL: a commit reaches the
                    // disk at checkpoints; the journal, not the ledger, is what acknowledgements wait for.
                    statement.execute("PRAGMA journal_mode = WAL");
                    statement.execute("PRAGMA synchronous = NORMAL");
                    statement.execute("PRAGMA busy_timeout = 5000");
                }
                LedgerSchema.migrate(connection);
                connection.setAutoCommit(false);
                return new Ledger(database.toAbsolutePath(), connection);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException("cannot open the ledger " + database + ": " + e.getMessage(), e);
        }
    }

    private static String upsert() {
        var names = new StringJoiner(", ");
        var values = new StringJoiner(", ");
        var updates = new StringJoiner(",\n  ");
        for (Column column : COLUMNS) {
            names.add(column.name());
            values.add("?");
            String name = column.name();
            switch (column.merge()) {
                case KEY -> { }
                case TELEMETRY_WINS -> updates.add(name + " = CASE WHEN requests.source = 'telemetry' THEN requests."
                        + name + " ELSE excluded." + name + " END");
                case LATEST_KNOWN -> updates.add(name + " = coalesce(excluded." + name + ", requests." + name + ")");
                case FIRST_KNOWN -> updates.add(name + " = coalesce(requests." + name + ", excluded." + name + ")");
            }
        }
        return "INSERT INTO requests (" + names + ") VALUES (" + values + ")\nON CONFLICT (key) DO UPDATE SET\n  "
                + updates;
    }

    /** Records the rows in one transaction: all of them or, on failure, none. */
    public void record(List<LedgerRow> rows) throws IOException {
        record(rows, List.of());
    }

    /**
     * Records the rows and what the metrics have counted so far, in one transaction, then brings the {@code metrics}
     * rows of every session and model concerned up to date (see {@link MetricsReconciliation}).
     */
    public void record(List<LedgerRow> rows, List<MetricTotal> metrics) throws IOException {
        transaction(() -> {
            upsert(rows);
            metricUsage.add(metrics);
            var pairs = new LinkedHashSet<SessionModel>(pairs(rows));
            metrics.forEach(total -> pairs.add(new SessionModel(total.sessionId(), total.model())));
            reconcile(pairs);
        });
    }

    /**
     * Records rows given a chunk at a time, in one transaction (all of them or, on failure, none), then brings the
     * {@code metrics} rows of their sessions and models up to date: a long transaction holds one chunk of rows as
     * objects at a time (see {@link HeldRows}).
     */
    public void record(Iterable<List<LedgerRow>> chunks) throws IOException {
        transaction(() -> {
            var pairs = new LinkedHashSet<SessionModel>();
            for (List<LedgerRow> chunk : chunks) {
                upsert(chunk);
                pairs.addAll(pairs(chunk));
            }
            reconcile(pairs);
        });
    }

    private static List<SessionModel> pairs(List<LedgerRow> rows) {
        return rows.stream().map(row -> new SessionModel(row.sessionId(), row.model())).distinct()
                .toList();
    }

    /**
     * Replaces the metrics rows of the pairs the metrics have counted for with what they need now (reconciliation
     * reads each pair's metrics first, and leaves a pair they never counted at that).
     */
    private void reconcile(Collection<SessionModel> pairs) throws SQLException {
        List<LedgerRow> inserted = metricUsage.reconcile(pairs);
        if (!inserted.isEmpty()) {
            upsert(inserted);
        }
    }

    /**
     * Replaces what was taken from a transcript that was rewritten, in one transaction: the rows only that
     * transcript gave are dropped, then its rows recorded. Rows telemetry saw keep their figures.
     */
    public void replaceTranscript(String transcript, List<LedgerRow> rows) throws IOException {
        transaction(() -> {
            var pairs = new LinkedHashSet<SessionModel>();
            try (PreparedStatement dropped = connection.prepareStatement(
                    "SELECT DISTINCT session_id, model FROM requests WHERE transcript = ? AND source = 'transcript'")) {
                dropped.setString(1, transcript);
                try (var result = dropped.executeQuery()) {
                    while (result.next()) {
                        pairs.add(new SessionModel(result.getString(1), result.getString(2)));
                    }
                }
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM requests WHERE transcript = ? AND source = 'transcript'")) {
                delete.setString(1, transcript);
                delete.executeUpdate();
            }
            upsert(rows);
            pairs.addAll(pairs(rows));
            reconcile(pairs);
        });
    }

    /** Where the last transcript scan got to (see TranscriptScanner); empty before the first. */
    public String transcriptScanState() throws IOException {
        try (Statement statement = connection.createStatement();
             var result = statement.executeQuery("SELECT state FROM transcript_scan WHERE id = 1")) {
            return result.next() ? result.getString(1) : "";
        } catch (SQLException e) {
            throw new IOException("cannot read the ledger: " + e.getMessage(), e);
        }
    }

    public void saveTranscriptScanState(String state) throws IOException {
        transaction(() -> {
            try (PreparedStatement save = connection.prepareStatement(
                    "INSERT INTO transcript_scan (id, state) VALUES (1, ?)"
                            + " ON CONFLICT (id) DO UPDATE SET state = excluded.state")) {
                save.setString(1, state);
                save.executeUpdate();
            }
        });
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /** A telemetry request's model, tokens and exact cost: what prices are learned from. */
    public interface CostObserver {
        void observe(String model, TokenCounts tokens, BigDecimal costUsd);
    }

    /** Gives every telemetry row with an exact cost, except fast mode's (billed at other prices), to the observer. */
    public void forEachTelemetryCost(CostObserver observer) throws IOException {
        try (Statement statement = connection.createStatement();
             var result = statement.executeQuery("SELECT model, input_tokens, output_tokens, cache_read_tokens,"
                     + " cache_creation_tokens, cache_creation_1h_tokens, cost_usd FROM requests"
                     + " WHERE source = 'telemetry' AND cost_source = 'exact' AND cost_usd IS NOT NULL"
                     + " AND coalesce(speed, '') <> 'fast'")) {
            while (result.next()) {
                BigDecimal cost;
                try {
                    cost = new BigDecimal(result.getString(7));
                } catch (NumberFormatException e) {
                    continue; // not written by this program; nothing to learn from
                }
                observer.observe(result.getString(1), new TokenCounts(result.getLong(2), result.getLong(3),
                        result.getLong(4), result.getLong(5), result.getLong(6)), cost);
            }
            connection.commit(); // ends the read transaction, which would hold back checkpoints
        } catch (SQLException e) {
            throw new IOException("cannot read the ledger: " + e.getMessage(), e);
        }
    }

    /** The models of transcript rows whose cost is not exact: those re-pricing may change. */
    public List<String> repriceableModels() throws IOException {
        try (Statement statement = connection.createStatement();
             var result = statement.executeQuery("SELECT DISTINCT model FROM requests"
                     + " WHERE source = 'transcript' AND cost_source <> 'exact'")) {
            var models = new ArrayList<String>();
            while (result.next()) {
                models.add(result.getString(1));
            }
            connection.commit(); // ends the read transaction
            return models;
        } catch (SQLException e) {
            throw new IOException("cannot read the ledger: " + e.getMessage(), e);
        }
    }

    /**
     * Prices again the transcript rows of the models whose cost is not exact, by each model's rule (learned, else
     * table, else unpriced: see {@link Prices}); an {@code exact} row is never changed. One UPDATE, one pass over
     * the table, writing only the rows whose cost changes; the cost computed in SQLite's integers (10^-12 USD) and
     * written as {@link Price#cost} writes it.
     */
    public void reprice(Map<String, Prices.Rule> rules) throws IOException {
        if (rules.isEmpty()) {
            return;
        }
        var models = new ArrayList<>(rules.keySet());
        String sql = RepriceSql.update(models.stream().map(rules::get).toList());
        transaction(() -> {
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                for (int i = 0; i < models.size(); i++) {
                    update.setString(i + 1, models.get(i));
                }
                update.executeUpdate();
            }
            // A request priced anew changes what the metrics add beyond it: the cost is counted once, not twice.
            var pairs = new LinkedHashSet<SessionModel>();
            try (PreparedStatement counted = connection.prepareStatement(
                    "SELECT DISTINCT session_id FROM metric_usage WHERE model = ?")) {
                for (String model : models) {
                    counted.setString(1, model);
                    try (var result = counted.executeQuery()) {
                        while (result.next()) {
                            pairs.add(new SessionModel(result.getString(1), model));
                        }
                    }
                }
            }
            reconcile(pairs);
        });
    }

    private void upsert(List<LedgerRow> rows) throws SQLException {
        for (LedgerRow row : rows) {
            bind(row);
            upsert.addBatch();
        }
        upsert.executeBatch();
    }

    private interface Work {
        void run() throws SQLException;
    }

    /** Runs the work and commits it, or rolls all of it back: a fault of ours included, never half committed later. */
    private void transaction(Work work) throws IOException {
        try {
            work.run();
            connection.commit();
        } catch (SQLException e) {
            rollback(e);
            throw new IOException("cannot write the ledger: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            rollback(e);
            throw e;
        }
    }

    private void rollback(Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException rollback) {
            cause.addSuppressed(rollback);
        }
    }

    private void bind(LedgerRow row) throws SQLException {
        int i = 0;
        upsert.setString(++i, row.key());
        upsert.setString(++i, row.source().column());
        upsert.setString(++i, row.sessionId());
        upsert.setLong(++i, row.time().toEpochMilli());
        upsert.setString(++i, row.model());
        LedgerRow.Tokens tokens = row.tokens();
        upsert.setLong(++i, tokens.input());
        upsert.setLong(++i, tokens.output());
        upsert.setLong(++i, tokens.cacheRead());
        upsert.setLong(++i, tokens.cacheCreation());
        upsert.setLong(++i, tokens.cacheCreation5m());
        upsert.setLong(++i, tokens.cacheCreation1h());
        BigDecimal cost = row.costUsd();
        setText(++i, cost == null ? null : cost.toPlainString());
        upsert.setString(++i, row.costSource().column());
        LedgerRow.Call call = row.call();
        setText(++i, call.requestId());
        setLong(++i, call.durationMs());
        setLong(++i, call.ttftMs());
        setText(++i, call.querySource());
        setText(++i, call.effort());
        setText(++i, call.speed());
        setText(++i, call.agentName());
        setText(++i, call.skillName());
        setText(++i, call.promptId());
        setText(++i, call.userId());
        setText(++i, call.organizationId());
        setText(++i, call.accountUuid());
        setText(++i, call.terminal());
        setText(++i, call.version());
        LedgerRow.Place place = row.place();
        setText(++i, place.project());
        setText(++i, place.cwd());
        setText(++i, place.gitBranch());
        setText(++i, place.messageId());
        setText(++i, row.transcript());
    }

    private void setText(int index, String value) throws SQLException {
        if (value == null) {
            upsert.setNull(index, Types.VARCHAR);
        } else {
            upsert.setString(index, value);
        }
    }

    private void setLong(int index, Long value) throws SQLException {
        if (value == null) {
            upsert.setNull(index, Types.INTEGER);
        } else {
            upsert.setLong(index, value);
        }
    }

    /**
     * Makes every recorded row durable (a WAL checkpoint, which syncs): called before the journal segments that
     * hold those requests are recycled.
     */
    public void sync() throws IOException {
        try (Statement statement = connection.createStatement();
             var result = statement.executeQuery("PRAGMA wal_checkpoint(FULL)")) {
            if (result.next() && result.getInt(1) != 0) { // a reader held the WAL: not everything was synced
                throw new IOException("cannot sync the ledger now: a reader holds its write-ahead log");
            }
        } catch (SQLException e) {
            throw new IOException("cannot sync the ledger: " + e.getMessage(), e);
        }
    }

    /** Hands SQLite's page cache back (it refills from the OS's as needed); a failure only keeps it. */
    public void releaseMemory() {
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA shrink_memory");
        } catch (SQLException e) {
            LOG.fine("ledger: cannot release memory: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            upsert.close();
            connection.close();
        } catch (SQLException e) {
            throw new IOException("closing the ledger: " + e.getMessage(), e);
        }
    }
}
