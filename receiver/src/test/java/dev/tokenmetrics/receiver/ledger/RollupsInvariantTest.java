package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.Prices;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four rollups, kept by triggers, equal the sums over {@code requests} (and {@code usage_sessions}' first and
 * last request times, their min and max) after every commit of a long random mix of
 * writes: batches of new rows and of rows seen again (changed or not, several times in one batch), telemetry over
 * transcript rows, metric totals that grow (their rows written, rewritten in place, moved in time and deleted by
 * reconciliation), re-pricing, rewritten transcripts, and a user's own inserts, updates and deletes through another
 * connection in between.
 */
class RollupsInvariantTest {

    private static final Instant START = Instant.parse("2026-11-28T21:00:00Z");
    private static final String[] MODELS = {"claude-opus-4-1", "claude-haiku-4-5", "nobody-knows-1"};
    private static final String PICOS = "coalesce(CAST(round(cost_usd * 1e12) AS INTEGER), 0)";
    private static final String ROLLUP_SUMS = "count(*), sum(source != 'metrics'), sum(input_tokens),"
            + " sum(output_tokens), sum(cache_read_tokens), sum(cache_creation_tokens),"
            + " sum(CASE WHEN cost_source = 'exact' THEN " + PICOS + " ELSE 0 END),"
            + " sum(CASE WHEN cost_source != 'exact' THEN " + PICOS + " ELSE 0 END), sum(cost_usd IS NULL)";
    private static final String ROLLUP_COLUMNS = "rows, requests, input_tokens, output_tokens, cache_read_tokens,"
            + " cache_creation_tokens, exact_picos, estimated_picos, unpriced";

    @TempDir
    Path dir;

    private final Random random = new Random(6);
    private final Map<String, long[]> metricTotals = new HashMap<>();

    @Test
    void everyRollupEqualsTheSumsOverRequestsAfterEveryCommitOfARandomMixOfWrites() throws Exception {
        Path database = dir.resolve("usage.db");
        var rules = new HashMap<String, Prices.Rule>();
        var prices = new Prices(Map.of(), PriceTable.shipped());
        for (String model : MODELS) {
            rules.put(model, prices.rule(model));
        }
        var done = new HashMap<String, Integer>();
        try (Ledger ledger = Ledger.open(database)) {
            for (int step = 0; step < 300; step++) {
                int kind = random.nextInt(100);
                String what;
                if (kind < 55) {
                    var rows = new ArrayList<LedgerRow>();
                    int size = 1 + random.nextInt(40);
                    for (int i = 0; i < size; i++) {
                        rows.add(row());
                    }
                    ledger.record(rows, random.nextInt(3) == 0 ? totals() : List.of());
                    what = "a batch of " + size + " rows";
                } else if (kind < 70) {
                    ledger.record(List.of(), totals());
                    what = "metric totals";
                } else if (kind < 78) {
                    if (random.nextBoolean()) {
                        ledger.reprice(rules);
                    } else {
                        var learned = new Price(new BigDecimal(random.nextInt(5) + 1), new BigDecimal("12.5"),
                                new BigDecimal("0.25"), null, new BigDecimal(random.nextInt(9) + 1), null);
                        ledger.reprice(Map.of(MODELS[random.nextInt(3)], new Prices.Rule(learned, null)));
                    }
                    what = "re-pricing";
                } else if (kind < 86) {
                    String transcript = "/t/s" + random.nextInt(5) + ".jsonl";
                    var rows = new ArrayList<LedgerRow>();
                    for (int i = random.nextInt(6); i > 0; i--) {
                        rows.add(row());
                    }
                    ledger.replaceTranscript(transcript, rows);
                    what = "a rewritten transcript";
                } else {
                    writeAsAnotherProgram(database);
                    what = "another program's writes";
                }
                done.merge(what.startsWith("a batch") ? "batches" : what, 1, Integer::sum);
                assertRollupsEqualSums(database, "step " + step + ", " + what);
            }
            ledger.record(List.of(row()));
            assertRollupsEqualSums(database, "the writer's batch after another program's writes");
        }
        assertTrue(done.size() == 5 && done.values().stream().allMatch(n -> n >= 10), "every kind of write: " + done);
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*), sum(source = 'metrics') FROM requests")) {
            assertTrue(result.getLong(1) > 200 && result.getLong(2) > 3, "rows, metrics rows: " + result.getLong(1)
                    + ", " + result.getLong(2));
        }
    }

    /**
     * A row among 300 keys, so that most batches see some again, with figures, time, place or source changed (not
     * its session or model: reconciliation follows the pairs of the rows written, not those they left).
     */
    private LedgerRow row() {
        int id = random.nextInt(300);
        String session = "s" + (id % 5);
        boolean telemetry = random.nextInt(3) == 0;
        long input = random.nextInt(4) == 0 ? id * 10L : random.nextInt(5000);
        var tokens = new Tokens(input, random.nextInt(3000), random.nextInt(50_000), random.nextInt(3) * 1000L, 0, 0);
        BigDecimal cost = telemetry ? new BigDecimal(random.nextInt(900_000) + 1).movePointLeft(6)
                : random.nextBoolean() ? null : new BigDecimal(random.nextInt(90_000) + 1).movePointLeft(5);
        CostSource costSource = telemetry ? CostSource.EXACT : cost == null ? CostSource.UNPRICED : CostSource.TABLE;
        Place place = switch (random.nextInt(4)) {
            case 0 -> Place.NONE;
            case 1 -> new Place("proj-" + random.nextInt(2), null, null, null);
            default -> new Place(null, "/home/u/p" + random.nextInt(3), random.nextBoolean() ? null
                    : "branch-" + random.nextInt(3), "msg_" + id);
        };
        // times over four days, some moved across an hour or a day when seen again
        Instant time = START.plusSeconds(id * 1150L + random.nextInt(4) * 1800L);
        return new LedgerRow(LedgerRow.key(null, 0, "msg_" + id), telemetry ? Source.TELEMETRY : Source.TRANSCRIPT,
                session, time, MODELS[id % 3], tokens, cost, costSource, Call.NONE, place,
                telemetry ? null : "/t/" + session + ".jsonl");
    }

    /** Metric totals that grow, for a few sessions and models. */
    private List<MetricTotal> totals() {
        var totals = new ArrayList<MetricTotal>();
        for (int i = random.nextInt(3) + 1; i > 0; i--) {
            String session = "s" + random.nextInt(5);
            String model = MODELS[random.nextInt(3)];
            long[] sums = metricTotals.computeIfAbsent(session + "/" + model, key -> new long[5]);
            sums[0] += random.nextInt(20_000);
            sums[1] += random.nextInt(5_000);
            sums[2] += random.nextInt(100_000);
            sums[3] += random.nextInt(2) * 500L;
            sums[4] += random.nextInt(2_000_000);
            totals.add(new MetricTotal(session, model, START.plusSeconds(random.nextInt(4 * 86_400)), sums[0],
                    sums[1], sums[2], sums[3], BigDecimal.valueOf(sums[4], 6), random.nextBoolean() ? "proj-m" : null));
        }
        return totals;
    }

    /** Inserts, updates and deletes by another connection, as a user's sqlite3 would: the triggers keep the sums. */
    private void writeAsAnotherProgram(Path database) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement()) {
            statement.execute("INSERT OR IGNORE INTO requests (key, source, session_id, time_ms, model, input_tokens,"
                    + " output_tokens, cache_read_tokens, cache_creation_tokens, cache_creation_5m_tokens,"
                    + " cache_creation_1h_tokens, cost_usd, cost_source, cwd)"
                    + " VALUES ('msg:by-hand-" + random.nextInt(1000) + "', 'transcript', 'by-hand', " + START.plusSeconds(random.nextInt(4 * 86_400)).toEpochMilli() + ", '" + MODELS[1]
                    + "', 7, 8, 9, 10, 10, 0, '0.5', 'table', '/by/hand')");
            // its own rows only, in a session the metrics do not count: the writer's reconciliation stays checkable
            statement.execute("UPDATE requests SET input_tokens = input_tokens + 1, git_branch = 'edited'"
                    + " WHERE rowid IN (SELECT rowid FROM requests WHERE session_id = 'by-hand' ORDER BY random()"
                    + " LIMIT 3)");
            statement.execute("DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests"
                    + " WHERE session_id = 'by-hand' ORDER BY random() LIMIT 1)");
        }
    }

    private static void assertRollupsEqualSums(Path database, String after) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement()) {
            assertEquals(lines(statement, "SELECT time_ms / 3600000, model, " + ROLLUP_SUMS
                            + " FROM requests GROUP BY 1, 2 ORDER BY 1, 2"),
                    lines(statement, "SELECT hour, model, " + ROLLUP_COLUMNS
                            + " FROM usage_hours WHERE rows != 0 ORDER BY 1, 2"), "usage_hours after " + after);
            assertEquals(lines(statement, "SELECT session_id, model, coalesce(project, cwd, ''),"
                            + " coalesce(git_branch, ''), " + ROLLUP_SUMS + ", min(time_ms), max(time_ms)"
                            + " FROM requests GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"),
                    lines(statement, "SELECT session_id, model, project, git_branch, " + ROLLUP_COLUMNS
                            + ", first_time_ms, last_time_ms FROM usage_sessions WHERE rows != 0 ORDER BY 1, 2, 3, 4"),
                    "usage_sessions, with each group's first and last request times, after " + after);
            assertEquals(List.of(), lines(statement, "SELECT session_id, model, first_time_ms, last_time_ms"
                    + " FROM usage_sessions WHERE rows = 0 AND (first_time_ms IS NOT NULL OR last_time_ms IS NOT NULL)"),
                    "a session group with no rows left has no first or last time, after " + after);
            assertEquals(lines(statement, "SELECT session_id, model, strftime('%Y-%m-%d', time_ms / 1000,"
                            + " 'unixepoch'), source = 'metrics', count(*), sum(input_tokens), sum(output_tokens),"
                            + " sum(cache_read_tokens), sum(cache_creation_tokens), sum(" + PICOS + ")"
                            + " FROM requests GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"),
                    lines(statement, "SELECT session_id, model, day, metrics, rows, input_tokens, output_tokens,"
                            + " cache_read_tokens, cache_creation_tokens, cost_picos FROM session_days"
                            + " WHERE rows != 0 ORDER BY 1, 2, 3, 4"), "session_days after " + after);
            String totals = "SELECT model, coalesce(project, cwd, '') AS project, coalesce(git_branch, '') AS git_branch,"
                    + " count(*), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
                    + " sum(cache_creation_tokens), total(cost_usd) AS cost_usd FROM requests"
                    + " WHERE source != 'metrics' GROUP BY 1, 2, 3";
            assertEquals(lines(statement, "SELECT model, project, git_branch, requests, input_tokens, output_tokens,"
                            + " cache_read_tokens, cache_creation_tokens FROM usage_totals WHERE requests != 0"
                            + " ORDER BY 1, 2, 3"),
                    lines(statement, "SELECT model, project, git_branch, \"count(*)\", \"sum(input_tokens)\","
                            + " \"sum(output_tokens)\", \"sum(cache_read_tokens)\", \"sum(cache_creation_tokens)\""
                            + " FROM (" + totals + ") ORDER BY 1, 2, 3"), "usage_totals after " + after);
            // its cost is REAL, summed in another order than the rows': equal but for binary rounding
            assertEquals(List.of(), lines(statement, "SELECT model, project, git_branch, t.cost_usd, s.cost_usd"
                    + " FROM usage_totals t JOIN (" + totals + ") s USING (model, project, git_branch)"
                    + " WHERE abs(t.cost_usd - s.cost_usd) > 1e-9"), "usage_totals' cost after " + after);
            // reconciliation: per session and model, the rows sum to the larger of the metrics and the requests
            var outOfStep = new ArrayList<String>();
            for (String type : List.of("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")) {
                outOfStep.addAll(lines(statement, "SELECT '" + type + "', session_id, model, m.counted, r.requested,"
                        + " r.summed FROM (SELECT session_id, model, sum(" + type + ") AS counted FROM metric_usage"
                        + " GROUP BY 1, 2) m JOIN (SELECT session_id, model, sum(CASE WHEN source != 'metrics' THEN "
                        + type + " ELSE 0 END) AS requested, sum(" + type + ") AS summed FROM requests GROUP BY 1, 2)"
                        + " r USING (session_id, model) WHERE r.summed != max(m.counted, r.requested)"));
            }
            assertEquals(List.of(), outOfStep, "metrics rows reconciled after " + after);
            assertEquals(List.of(), lines(statement, "SELECT key, time_ms, last_time_ms FROM requests JOIN metric_usage m"
                    + " ON key = 'met:' || m.session_id || '/' || m.model || '/' || m.day WHERE time_ms != last_time_ms"),
                    "a metrics row is dated at its day's latest point, after " + after);
            assertEquals(List.of(), lines(statement, "SELECT 'usage_hours', hour FROM usage_hours WHERE rows = 0"
                    + " AND (input_tokens != 0 OR exact_picos != 0 OR estimated_picos != 0 OR unpriced != 0)"
                    + " UNION ALL SELECT 'session_days', day FROM session_days WHERE rows = 0 AND cost_picos != 0"),
                    "a group with no rows left sums to nothing, after " + after);
        }
    }

    private static List<String> lines(Statement statement, String query) throws Exception {
        var lines = new ArrayList<String>();
        try (ResultSet result = statement.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                var line = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    line.append(result.getString(i)).append(i < columns ? " | " : "");
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }
}
