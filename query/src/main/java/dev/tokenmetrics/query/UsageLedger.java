package dev.tokenmetrics.query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The usage ledger (docs/LEDGER.md) opened for reading: read-only, never created, never blocking the receiver (WAL
 * readers do not). Reads only the documented columns of {@code requests}, whatever their {@code source}, or the
 * same sums from its rollups (schema 5: {@code usage_hours}, {@code usage_sessions}; schema 6: with each session
 * group's first and last request times) when a report can be answered from them.
 */
public final class UsageLedger implements AutoCloseable {

    /** The schema versions this program understands (docs/LEDGER.md). */
    static final int OLDEST = 1;
    public static final int NEWEST = 6;
    /** The first version with the rollups. */
    static final int ROLLUPS = 5;
    /** The first version whose usage_sessions keeps each group's first and last request times. */
    static final int SESSION_TIMES = 6;

    private final Connection connection;
    private final int version;

    private UsageLedger(Connection connection, int version) {
        this.connection = connection;
        this.version = version;
    }

    /** Where a query's sums come from. */
    public enum Source {
        /** Every row of {@code requests}: answers any query. */
        REQUESTS,
        /**
         * {@code usage_hours}: whole UTC hours by model; a group's first and last times are those of its row (the
         * dimension), read from requests' time index in the hours the rollup names.
         */
        HOURS,
        /** {@code usage_sessions}: all time, by session, model, project and branch. */
        SESSIONS
    }

    /** True when the ledger keeps the rollups (schema 5 and later); older ones are read from requests alone. */
    boolean hasRollups() {
        return version >= ROLLUPS;
    }

    public static UsageLedger open(Path database) throws LedgerException {
        if (!Files.isRegularFile(database)) {
            throw new LedgerException("no usage ledger at " + database
                    + " (the receiver creates it; or pass --db PATH)");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setOpenMode(SQLiteOpenMode.READONLY);
        config.setBusyTimeout(5000);
        Connection connection = null;
        try {
            connection = config.createConnection("jdbc:sqlite:" + database.toAbsolutePath());
            int version;
            try (Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("PRAGMA user_version")) {
                version = result.getInt(1);
            }
            if (version > NEWEST) {
                throw new LedgerException("the ledger " + database + " is schema version " + version
                        + ", newer than this program reads (" + NEWEST + "); upgrade claude-token-metrics");
            }
            if (version < OLDEST) {
                throw new LedgerException(database + " is not a usage ledger (schema version " + version + ")");
            }
            return new UsageLedger(connection, version);
        } catch (SQLException e) {
            close(connection);
            throw new LedgerException("cannot read the ledger " + database + ": " + oneLine(e));
        } catch (LedgerException e) {
            close(connection);
            throw e;
        }
    }

    /** One aggregated group of rows, as {@link Reports} receives it (and sums, by its row's key). */
    record Group(String dimension, String model, Usage usage, long firstMs, long lastMs, List<String> projects,
                 List<String> branches) {
    }

    /** One request, for the reports that need each one's time (blocks). */
    record Request(long timeMs, String model, Usage usage) {
    }

    /**
     * Totals grouped by the dimension and model, over the period and filters, with the projects and branches of
     * each group when {@code places} (they double the cost of the query). The dimension is SQL over the columns of
     * {@code requests} the source has: {@code time_ms} (HOURS: an hour's start), {@code model}, {@code session_id}
     * (SESSIONS). From SESSIONS, a dimension and model may come as several groups (one a project and branch), for
     * the reader to sum, and then come together, in the dimension's order.
     */
    void groups(Source source, String dimension, boolean places, Period period, Filters filters,
                Consumer<Group> sink) throws LedgerException {
        if (source == Source.SESSIONS) {
            sessions(dimension, places, period, filters, sink);
            return;
        }
        var arguments = new ArrayList<Object>();
        var sql = new StringBuilder(source == Source.HOURS ? "WITH g AS (" : "")
                .append("SELECT ").append(dimension).append(" AS dimension, model, ").append(switch (source) {
            // a metrics row holds what Claude Code's metrics counted beyond the requests seen one by one: its
            // tokens and cost count, it is no request of its own (docs/LEDGER.md)
            case REQUESTS -> "sum(source <> 'metrics'),"
                    + " sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens), sum(cache_read_tokens),"
                    + " sum(CASE WHEN cost_source = 'exact' THEN " + PICOS + " END),"
                    + " sum(CASE WHEN cost_source <> 'exact' THEN " + PICOS + " END),"
                    + " sum(cost_usd IS NULL), min(time_ms), max(time_ms),"
                    // DISTINCT takes one argument: each value ends with a unit separator, split on below
                    + (places ? " group_concat(DISTINCT coalesce(project, cwd) || char(31)),"
                    + " group_concat(DISTINCT git_branch || char(31))" : " NULL, NULL")
                    + " FROM requests r";
            case HOURS -> ROLLUP_SUMS
                    + ", min(time_ms) AS first_hour, max(time_ms) AS last_hour"
                    + " FROM (SELECT hour * " + HOUR_MS + " AS time_ms, * FROM usage_hours WHERE rows > 0) r";
            case SESSIONS -> throw new IllegalStateException("read by sessions()");
        });
        where(sql, arguments, period, filters);
        if (source != Source.SESSIONS) {
            sql.append(" GROUP BY dimension, model");
        }
        if (source == Source.HOURS) {
            // The rollup knows the hours of each row's first and last requests; requests' time index, their times:
            // two seeks a row (the dimension), in the hour the rollup names.
            String condition = (dimension.equals("model") ? " AND q.model = b.dimension" : "")
                    + (filters.model() == null ? "" : " AND instr(q.model, ?) > 0");
            sql.append("), b AS (SELECT dimension, min(first_hour) AS first_hour, max(last_hour) AS last_hour"
                    + " FROM g GROUP BY dimension)"
                    + " SELECT g.dimension, model, requests, input_tokens, output_tokens, cache_creation_tokens,"
                    + " cache_read_tokens, exact_picos, estimated_picos, unpriced,"
                    + " (SELECT min(time_ms) FROM requests q WHERE q.time_ms >= b.first_hour"
                    + " AND q.time_ms < b.first_hour + " + HOUR_MS + condition + "),"
                    + " (SELECT max(time_ms) FROM requests q WHERE q.time_ms >= b.last_hour"
                    + " AND q.time_ms < b.last_hour + " + HOUR_MS + condition + "), NULL, NULL"
                    + " FROM g JOIN b ON b.dimension = g.dimension");
            if (filters.model() != null) {
                arguments.add(filters.model());
                arguments.add(filters.model());
            }
        }
        run(sql.toString(), arguments, result -> sink.accept(new Group(result.getString(1), result.getString(2),
                usage(result, 3), result.getLong(11), result.getLong(12), list(result.getString(13)),
                list(result.getString(14)))));
    }

    /**
     * {@link #groups} from usage_sessions: the rollup's rows as they are, one a session, model, project and branch,
     * in its key's order. Their reader sums them (Reports), cheaper than SQLite's GROUP BY and
     * group_concat(DISTINCT), which took two thirds of a year's session query. Each row's first and last request
     * times are the rollup's own (schema 6); a schema 5 ledger's, the session's, from two seeks in requests'
     * (session_id, time_ms) index: the same for the reader, who takes the earliest and latest of a session's rows.
     * Each row comes as one column ({@link PackedRow}): read column by column, the driver's calls and allocations
     * were half the cost of a year's session report.
     */
    private void sessions(String dimension, boolean places, Period period, Filters filters, Consumer<Group> sink)
            throws LedgerException {
        var numbers = new ArrayList<>(List.of("requests", "input_tokens", "output_tokens", "cache_creation_tokens",
                "cache_read_tokens", "exact_picos", "estimated_picos", "unpriced"));
        if (version >= SESSION_TIMES) {
            numbers.add("coalesce(first_time_ms, 0)");
            numbers.add("coalesce(last_time_ms, 0)");
        } else {
            numbers.add("coalesce((SELECT min(time_ms) FROM requests s WHERE s.session_id = r.session_id), 0)");
            numbers.add("coalesce((SELECT max(time_ms) FROM requests s WHERE s.session_id = r.session_id), 0)");
        }
        // a row's project and branch, each one value or none (the rollup's '')
        var texts = List.of(dimension, "model", places ? "project" : "''", places ? "git_branch" : "''");
        var sql = new StringBuilder("SELECT ").append(PackedRow.sql(numbers, texts))
                .append(" FROM (SELECT * FROM usage_sessions WHERE rows > 0) r");
        var arguments = new ArrayList<Object>();
        where(sql, arguments, period, filters);
        sql.append(" ORDER BY ").append(dimension); // the rollup's key order: no sort, a session's rows together
        var row = new PackedRow(numbers.size(), texts.size());
        run(sql.toString(), arguments, result -> {
            if (!row.read(result.getBytes(1))) {
                throw new SQLException("usage_sessions has a row that is not integers and texts");
            }
            sink.accept(new Group(row.text(0), row.text(1), new Usage(row.number(0), row.number(1),
                    row.number(2), row.number(3), row.number(4), row.number(5), row.number(6), row.number(7)),
                    row.number(8), row.number(9), row.textAsList(2), row.textAsList(3)));
        });
    }

    private static final long HOUR_MS = 3_600_000L;

    /** The 8 sums of {@link #usage}, from a rollup's columns, named as its columns. */
    private static final String ROLLUP_SUMS = "sum(requests) AS requests, sum(input_tokens) AS input_tokens,"
            + " sum(output_tokens) AS output_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,"
            + " sum(cache_read_tokens) AS cache_read_tokens, sum(exact_picos) AS exact_picos,"
            + " sum(estimated_picos) AS estimated_picos, sum(unpriced) AS unpriced";

    /** Every request in the period, in time order. */
    void requests(Period period, Filters filters, Consumer<Request> sink) throws LedgerException {
        var sql = new StringBuilder("SELECT time_ms, model, source <> 'metrics', input_tokens, output_tokens, cache_creation_tokens,"
                + " cache_read_tokens, CASE WHEN cost_source = 'exact' THEN " + PICOS + " END,"
                + " CASE WHEN cost_source <> 'exact' THEN " + PICOS + " END, cost_usd IS NULL FROM requests r");
        var arguments = new ArrayList<Object>();
        where(sql, arguments, period, filters);
        sql.append(" ORDER BY time_ms");
        run(sql.toString(), arguments, result -> sink.accept(new Request(result.getLong(1), result.getString(2),
                usage(result, 3))));
    }

    /** The times of the first and last requests in the period (HOURS: their hours' starts), or null when none. */
    long[] span(Source source, Period period) throws LedgerException {
        if (source == Source.HOURS) {
            return hoursSpan(period);
        }
        long[] span = {0, 0, 0};
        var sql = new StringBuilder(source == Source.HOURS
                ? "SELECT min(time_ms), max(time_ms), count(*) FROM"
                + " (SELECT hour * " + HOUR_MS + " AS time_ms FROM usage_hours WHERE rows > 0) r"
                : "SELECT min(time_ms), max(time_ms), count(*) FROM requests r");
        var arguments = new ArrayList<Object>();
        where(sql, arguments, period, Filters.NONE);
        run(sql.toString(), arguments, result -> {
            span[0] = result.getLong(1);
            span[1] = result.getLong(2);
            span[2] = result.getLong(3);
        });
        return span[2] == 0 ? null : new long[] {span[0], span[1]};
    }

    /**
     * {@link #span} from the hours rollup: two seeks in its key (hour, model) rather than a pass over its rows. The
     * period's bounds are whole hours (the rollup answers no other), so they are bounds on the hour.
     */
    private long[] hoursSpan(Period period) throws LedgerException {
        var arguments = new ArrayList<Object>();
        var bounds = new StringBuilder();
        if (period.from() != null) {
            bounds.append(" AND hour >= ?");
        }
        if (period.until() != null) {
            bounds.append(" AND hour < ?");
        }
        for (int seek = 0; seek < 2; seek++) {
            if (period.from() != null) {
                arguments.add(period.from().toEpochMilli() / HOUR_MS);
            }
            if (period.until() != null) {
                arguments.add(period.until().toEpochMilli() / HOUR_MS);
            }
        }
        String rows = "FROM usage_hours WHERE rows > 0" + bounds;
        long[] span = new long[2];
        boolean[] found = {false};
        run("SELECT (SELECT hour " + rows + " ORDER BY hour LIMIT 1) * " + HOUR_MS + ", (SELECT hour " + rows
                + " ORDER BY hour DESC LIMIT 1) * " + HOUR_MS, arguments, result -> {
            span[0] = result.getLong(1);
            found[0] = !result.wasNull();
            span[1] = result.getLong(2);
        });
        return found[0] ? span : null;
    }

    // cost_usd is an exact decimal as TEXT; * 1e12 and rounded, it is an integer number of picodollars, summed exactly
    private static final String PICOS = "CAST(round(cost_usd * 1e12) AS INTEGER)";

    /** A row's project: the launcher's attribute, else the working directory, else its session's. */
    static final String PROJECT = "coalesce(r.project, r.cwd, (SELECT coalesce(max(s.project), max(s.cwd))"
            + " FROM requests s WHERE s.session_id = r.session_id))";

    /** A row's git branch, else its session's. */
    static final String BRANCH = "coalesce(r.git_branch, (SELECT max(s.git_branch) FROM requests s"
            + " WHERE s.session_id = r.session_id))";

    private static void where(StringBuilder sql, List<Object> arguments, Period period, Filters filters) {
        var conditions = new ArrayList<String>();
        if (period.from() != null) {
            conditions.add("time_ms >= ?");
            arguments.add(period.from().toEpochMilli());
        }
        if (period.until() != null) {
            conditions.add("time_ms < ?");
            arguments.add(period.until().toEpochMilli());
        }
        if (filters.project() != null) {
            conditions.add("(" + PROJECT + " = ? OR " + PROJECT + " LIKE ? ESCAPE '\\')");
            arguments.add(filters.project());
            arguments.add("%/" + filters.project().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
        }
        if (filters.branch() != null) {
            conditions.add(BRANCH + " = ?");
            arguments.add(filters.branch());
        }
        if (filters.model() != null) {
            conditions.add("instr(model, ?) > 0");
            arguments.add(filters.model());
        }
        if (filters.session() != null) {
            conditions.add("substr(session_id, 1, ?) = ?");
            arguments.add(filters.session().length());
            arguments.add(filters.session());
        }
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
    }

    private interface RowHandler {
        void accept(ResultSet result) throws SQLException;
    }

    private void run(String sql, List<Object> arguments, RowHandler handler) throws LedgerException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.size(); i++) {
                statement.setObject(i + 1, arguments.get(i));
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    handler.accept(result);
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the ledger: " + oneLine(e));
        }
    }

    /** Usage from the 8 columns from {@code first}: count, 4 token sums, exact and estimated picos, unpriced. */
    private static Usage usage(ResultSet result, int first) throws SQLException {
        return new Usage(result.getLong(first), result.getLong(first + 1), result.getLong(first + 2),
                result.getLong(first + 3), result.getLong(first + 4), result.getLong(first + 5),
                result.getLong(first + 6), result.getLong(first + 7));
    }

    // group_concat's unit separators, and the commas it puts between values
    private static final java.util.regex.Pattern SEPARATOR = java.util.regex.Pattern.compile("\u001f,?");

    private static List<String> list(String concatenated) {
        if (concatenated == null) {
            return List.of();
        }
        var values = new ArrayList<String>();
        for (String value : SEPARATOR.split(concatenated)) {
            if (!value.isEmpty()) {
                values.add(value);
            }
        }
        return values;
    }

    private static String oneLine(SQLException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already failing with a better message
            }
        }
    }

    @Override
    public void close() {
        close(connection);
    }
}
