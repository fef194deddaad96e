package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.ledger.MetricsReconciliation.Figures;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The ledger's account of Claude Code's metrics ({@code metric_usage}: what they counted per session, model and UTC
 * day) and the {@code metrics} rows it gives {@code requests}: what the metrics say beyond the per-request rows of
 * the same session and model (see {@link MetricsReconciliation}). Works inside the ledger's transactions; not
 * thread-safe.
 */
final class MetricUsage {

    // Prepared once: the ledger's writer runs these after every write of a session's rows.
    private final PreparedStatement metricSums;
    private final PreparedStatement addMetrics;
    private final PreparedStatement dayCostOf;
    private final PreparedStatement metricsOfPair;
    private final PreparedStatement requestDays;
    private final PreparedStatement deleteRow;
    private final PreparedStatement metricsRow;
    private final PreparedStatement rewrite;
    private final PreparedStatement rewriteAndMove;

    MetricUsage(Connection connection) throws SQLException {
        this.metricSums = connection.prepareStatement("SELECT coalesce(sum(input_tokens), 0),"
                + " coalesce(sum(output_tokens), 0), coalesce(sum(cache_read_tokens), 0),"
                + " coalesce(sum(cache_creation_tokens), 0), group_concat(cost_usd, ' ')"
                + " FROM metric_usage WHERE session_id = ? AND model = ?");
        this.addMetrics = connection.prepareStatement("INSERT INTO metric_usage (session_id, model, day,"
                + " last_time_ms, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd,"
                + " project) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (session_id, model, day) DO UPDATE SET"
                + " project = coalesce(project, excluded.project),"
                + " last_time_ms = max(last_time_ms, excluded.last_time_ms),"
                + " input_tokens = input_tokens + excluded.input_tokens,"
                + " output_tokens = output_tokens + excluded.output_tokens,"
                + " cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,"
                + " cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,"
                + " cost_usd = excluded.cost_usd");
        this.dayCostOf = connection.prepareStatement(
                "SELECT cost_usd FROM metric_usage WHERE session_id = ? AND model = ? AND day = ?");
        this.metricsOfPair = connection.prepareStatement("SELECT day, last_time_ms, input_tokens,"
                + " output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, project FROM metric_usage"
                + " WHERE session_id = ? AND model = ?");
        this.requestDays = connection.prepareStatement("SELECT day, input_tokens, output_tokens,"
                + " cache_read_tokens, cache_creation_tokens, cost_picos FROM session_days"
                + " WHERE session_id = ? AND model = ? AND metrics = 0 AND rows > 0");
        this.deleteRow = connection.prepareStatement("DELETE FROM requests WHERE key = ?");
        // A metrics row rewritten sets only its figures, and its time when that moved: SQLite then updates no index
        // (a full upsert sets every column, and so rewrites every index entry of the row), and the triggers fire
        // as for any update. The project is the first known, as the upsert keeps it.
        String figures = "UPDATE requests SET input_tokens = ?, output_tokens = ?, cache_read_tokens = ?,"
                + " cache_creation_tokens = ?, cost_usd = ?, project = coalesce(project, ?)";
        this.rewrite = connection.prepareStatement(figures + " WHERE key = ?");
        this.rewriteAndMove = connection.prepareStatement(figures + ", time_ms = ? WHERE key = ?");
        this.metricsRow = connection.prepareStatement("SELECT time_ms, input_tokens, output_tokens,"
                + " cache_read_tokens, cache_creation_tokens, cost_usd, project FROM requests WHERE key = ?");
    }

    /**
     * Counts what each total brings beyond what is already counted for its session and model, on the UTC day of the
     * total's time. A total is the whole so far, so one seen again (a journal replayed, a retry) brings nothing; one
     * below what is counted (the receiver forgot the session and counts it anew) brings nothing either.
     */
    void add(List<MetricTotal> totals) throws SQLException {
        for (MetricTotal total : totals) {
            Figures before = sum(total.sessionId(), total.model());
            var increase = new Figures(Math.max(0, total.input() - before.input()),
                    Math.max(0, total.output() - before.output()),
                    Math.max(0, total.cacheRead() - before.cacheRead()),
                    Math.max(0, total.cacheCreation() - before.cacheCreation()),
                    total.costUsd().subtract(before.costUsd()).max(BigDecimal.ZERO));
            if (increase.isZero()) {
                continue;
            }
            String day = day(total.time().toEpochMilli());
            BigDecimal dayCost = dayCost(total.sessionId(), total.model(), day).add(increase.costUsd());
            int i = 0;
            addMetrics.setString(++i, total.sessionId());
            addMetrics.setString(++i, total.model());
            addMetrics.setString(++i, day);
            addMetrics.setLong(++i, total.time().toEpochMilli());
            addMetrics.setLong(++i, increase.input());
            addMetrics.setLong(++i, increase.output());
            addMetrics.setLong(++i, increase.cacheRead());
            addMetrics.setLong(++i, increase.cacheCreation());
            addMetrics.setString(++i, text(dayCost)); // summed here, exactly: SQLite would add the texts as doubles
            addMetrics.setString(++i, total.project());
            addMetrics.executeUpdate();
        }
    }

    private Figures sum(String sessionId, String model) throws SQLException {
        metricSums.setString(1, sessionId);
        metricSums.setString(2, model);
        try (ResultSet result = metricSums.executeQuery()) {
            result.next();
            return new Figures(result.getLong(1), result.getLong(2), result.getLong(3), result.getLong(4),
                    decimalSum(result.getString(5)));
        }
    }

    private BigDecimal dayCost(String sessionId, String model, String day) throws SQLException {
        dayCostOf.setString(1, sessionId);
        dayCostOf.setString(2, model);
        dayCostOf.setString(3, day);
        try (ResultSet result = dayCostOf.executeQuery()) {
            return result.next() ? new BigDecimal(result.getString(1)) : BigDecimal.ZERO;
        }
    }

    /**
     * Brings the {@code metrics} rows of each session and model to what they need now, from what the metrics counted
     * and the per-request rows as they stand: deletes the rows no longer needed, rewrites in place those that changed
     * (a row already as needed is left alone: every write of a row costs its triggers), and returns the new ones, to
     * be inserted. A pair the metrics never counted has none.
     */
    List<LedgerRow> reconcile(Collection<SessionModel> pairs) throws SQLException {
        var rows = new ArrayList<LedgerRow>();
        for (SessionModel pair : pairs) {
            var counted = new TreeMap<String, Figures>();
            var lastTimes = new HashMap<String, Long>();
            String project = null;
            metricsOfPair.setString(1, pair.sessionId());
            metricsOfPair.setString(2, pair.model());
            try (ResultSet result = metricsOfPair.executeQuery()) {
                while (result.next()) {
                    counted.put(result.getString(1), new Figures(result.getLong(3), result.getLong(4),
                            result.getLong(5), result.getLong(6), new BigDecimal(result.getString(7))));
                    lastTimes.put(result.getString(1), result.getLong(2));
                    project = project != null ? project : result.getString(8);
                }
            }
            if (counted.isEmpty()) {
                continue; // no metrics for it, so no metrics rows
            }
            var requested = new HashMap<String, Figures>();
            requestDays.setString(1, pair.sessionId());
            requestDays.setString(2, pair.model());
            try (ResultSet result = requestDays.executeQuery()) {
                while (result.next()) {
                    requested.put(result.getString(1), new Figures(result.getLong(2), result.getLong(3),
                            result.getLong(4), result.getLong(5), BigDecimal.valueOf(result.getLong(6), 12)));
                }
            }
            SortedMap<String, Figures> excess = MetricsReconciliation.excess(counted, requested);
            for (String day : counted.keySet()) { // its metrics rows: a day it counted at most, by key
                Figures needed = excess.get(day);
                if (needed == null) {
                    deleteRow.setString(1, key(pair, day));
                    deleteRow.executeUpdate();
                    continue;
                }
                LedgerRow row = row(pair, day, lastTimes.get(day), needed, project);
                if (!rewritten(row)) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /**
     * Brings the stored metrics row to this one when it is there and differs (see {@link #rewrite}); false when it is
     * not there, to be inserted.
     */
    private boolean rewritten(LedgerRow row) throws SQLException {
        metricsRow.setString(1, row.key());
        long storedTime;
        try (ResultSet result = metricsRow.executeQuery()) {
            if (!result.next()) {
                return false;
            }
            if (result.getLong(1) == row.time().toEpochMilli()
                    && result.getLong(2) == row.tokens().input()
                    && result.getLong(3) == row.tokens().output()
                    && result.getLong(4) == row.tokens().cacheRead()
                    && result.getLong(5) == row.tokens().cacheCreation()
                    && row.costUsd().toPlainString().equals(result.getString(6))
                    && (result.getString(7) != null || row.place().project() == null)) {
                return true; // as it is
            }
            storedTime = result.getLong(1);
        }
        boolean moved = storedTime != row.time().toEpochMilli();
        PreparedStatement update = moved ? rewriteAndMove : rewrite;
        int i = 0;
        update.setLong(++i, row.tokens().input());
        update.setLong(++i, row.tokens().output());
        update.setLong(++i, row.tokens().cacheRead());
        update.setLong(++i, row.tokens().cacheCreation());
        update.setString(++i, row.costUsd().toPlainString());
        update.setString(++i, row.place().project());
        if (moved) {
            update.setLong(++i, row.time().toEpochMilli());
        }
        update.setString(++i, row.key());
        update.executeUpdate();
        return true;
    }

    /** A metrics row: one per session, model and day, dated at the day's latest metric point. */
    private static LedgerRow row(SessionModel pair, String day, long timeMs, Figures figures, String project) {
        return new LedgerRow(key(pair, day), Source.METRICS,
                pair.sessionId(), Instant.ofEpochMilli(timeMs), pair.model(),
                new Tokens(figures.input(), figures.output(), figures.cacheRead(), figures.cacheCreation(), 0, 0),
                new BigDecimal(text(figures.costUsd())), CostSource.EXACT, Call.NONE,
                new Place(project, null, null, null), null);
    }

    private static String key(SessionModel pair, String day) {
        return "met:" + pair.sessionId() + "/" + pair.model() + "/" + day;
    }

    static String day(long epochMilli) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMilli), ZoneOffset.UTC).toString();
    }

    /** Sums costs stored as exact decimal text, space-separated (group_concat), exactly. */
    private static BigDecimal decimalSum(String costs) {
        BigDecimal sum = BigDecimal.ZERO;
        if (costs != null) {
            for (String cost : costs.split(" ")) {
                sum = sum.add(new BigDecimal(cost));
            }
        }
        return sum;
    }

    private static String text(BigDecimal cost) {
        return cost.signum() == 0 ? "0" : cost.stripTrailingZeros().toPlainString();
    }
}
