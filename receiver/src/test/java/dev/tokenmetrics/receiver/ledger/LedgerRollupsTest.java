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
 * The rollups (schema 5, docs/LEDGER.md) always equal the sums over {@code requests} they stand for, whatever the
 * writer does to a row: inserts, upserts that change its figures, time, source, place or model, re-pricing,
 * metrics rows grown, shrunk and deleted, and a rewritten transcript's rows deleted.
 */
class LedgerRollupsTest {

    private static final Instant START = Instant.parse("2026-11-29T22:30:00Z");
    private static final String[] MODELS = {"claude-opus-4-1", "claude-haiku-4-5", "nobody-knows-1"};
    private static final String PICOS = "CAST(round(cost_usd * 1e12) AS INTEGER)";
    private static final String SUMS = "count(*), sum(source != 'metrics'), sum(input_tokens), sum(output_tokens),"
            + " sum(cache_read_tokens), sum(cache_creation_tokens),"
            + " total(CASE WHEN cost_source = 'exact' THEN " + PICOS + " END),"
            + " total(CASE WHEN cost_source != 'exact' THEN " + PICOS + " END), sum(cost_usd IS NULL)";
    private static final String COLUMNS = "rows, requests, input_tokens, output_tokens, cache_read_tokens,"
            + " cache_creation_tokens, exact_picos, estimated_picos, unpriced";

    @TempDir
    Path dir;

    private final Random random = new Random(15);

    @Test
    void theRollupsEqualTheSumsOverRequestsAfterEveryKindOfWrite() throws Exception {
        Path database = dir.resolve("usage.db");
        try (Ledger ledger = Ledger.open(database)) {
            var rows = new ArrayList<LedgerRow>();
            for (int i = 0; i < 300; i++) {
                rows.add(transcript(i, 0));
            }
            ledger.record(rows);
            assertRollupsEqualSums(database, "inserts");

            // streamed messages seen again with their final usage, 300 ms later (an hour boundary crossed by some)
            var again = new ArrayList<LedgerRow>();
            for (int i = 0; i < 300; i += 3) {
                again.add(transcript(i, 300));
            }
            ledger.record(again);
            assertRollupsEqualSums(database, "upserts of streamed messages");

            // telemetry for some of them: its time, figures and exact cost win, its project joins the place
            var seen = new ArrayList<LedgerRow>();
            for (int i = 0; i < 300; i += 4) {
                seen.add(telemetry(i));
            }
            ledger.record(seen, List.of(new MetricTotal("s0", MODELS[0], START.plusSeconds(7200), 9_000_000, 5, 0,
                    0, new BigDecimal("123.000000000001"), "proj-metrics")));
            assertRollupsEqualSums(database, "telemetry over transcript rows, and a metrics row");

            // the metrics' total grows, then the requests it stood for arrive: the metrics row shrinks, then goes
            ledger.record(List.of(), List.of(new MetricTotal("s0", MODELS[0], START.plusSeconds(9000), 9_500_000,
                    6, 0, 0, new BigDecimal("130.5"), "proj-metrics")));
            assertRollupsEqualSums(database, "a metrics row grown and moved in time");
            ledger.record(List.of(telemetryOf("s0", 1000, 9_499_000, "130.4")));
            assertRollupsEqualSums(database, "a metrics row shrunk by the requests that arrived");
            ledger.record(List.of(telemetryOf("s0", 1001, 1000, "0.1")));
            assertRollupsEqualSums(database, "a metrics row deleted");

            var rules = new HashMap<String, Prices.Rule>();
            var prices = new Prices(Map.of(), PriceTable.shipped());
            for (String model : MODELS) {
                rules.put(model, prices.rule(model));
            }
            ledger.reprice(rules);
            assertRollupsEqualSums(database, "re-pricing by the table");
            // learned prices, then learned again at another price: the cost changes, its source stays 'learned'
            for (String price : new String[] {"2.5", "3.75"}) {
                var learned = new Price(new BigDecimal(price), new BigDecimal("12.345678"), new BigDecimal("0.25"),
                        null, new BigDecimal("5"), null);
                ledger.reprice(Map.of(MODELS[0], new Prices.Rule(learned, null)));
                assertRollupsEqualSums(database, "re-pricing by a learned price of " + price);
            }

            ledger.replaceTranscript("/t/s3.jsonl", List.of(transcript(3, 0)));
            assertRollupsEqualSums(database, "a rewritten transcript's rows deleted");
        }
    }

    private LedgerRow transcript(int i, int laterMs) {
        String session = "s" + (i % 7);
        var tokens = new Tokens(1 + random.nextInt(5000), 1 + random.nextInt(3000), random.nextInt(150_000),
                random.nextInt(4) == 0 ? random.nextInt(20_000) : 0, 0, 0);
        // every seventh row has no place of its own (its session's project stands for it in reports)
        Place place = i % 7 == 6 ? Place.NONE : new Place(null, "/home/user/p" + (i % 3), i % 5 == 0 ? null
                : "branch-" + (i % 2), "msg_" + i);
        return new LedgerRow(LedgerRow.key(null, 0, "msg_" + i), Source.TRANSCRIPT, session,
                START.plusSeconds(i * 97L).plusMillis(laterMs), MODELS[i % 3], tokens, null, CostSource.UNPRICED,
                Call.NONE, place, "/t/" + session + ".jsonl");
    }

    private LedgerRow telemetry(int i) {
        // the key a transcript row without a request id has: telemetry of the same message replaces it
        return new LedgerRow(LedgerRow.key(null, 0, "msg_" + i), Source.TELEMETRY, "s" + (i % 7),
                START.plusSeconds(i * 97L - 2), MODELS[i % 3],
                new Tokens(10 + i, 20 + i, 30 + i, 40, 40, 0), new BigDecimal("0.00" + (1000 + i) + "7"),
                CostSource.EXACT, Call.NONE, new Place("proj-" + (i % 2), null, null, null), null);
    }

    private static LedgerRow telemetryOf(String session, int id, long input, String cost) {
        return new LedgerRow(LedgerRow.key("req_" + id, 0, null), Source.TELEMETRY, session,
                START.plusSeconds(9100), MODELS[0], new Tokens(input, 5, 0, 0, 0, 0), new BigDecimal(cost),
                CostSource.EXACT, Call.NONE, new Place("proj-metrics", null, null, null), null);
    }

    private static void assertRollupsEqualSums(Path database, String after) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement()) {
            List<String> hours = lines(statement, "SELECT hour, model, " + COLUMNS
                    + " FROM usage_hours WHERE rows > 0 ORDER BY 1, 2");
            assertEquals(lines(statement, "SELECT time_ms / 3600000, model, " + SUMS
                    + " FROM requests GROUP BY 1, 2 ORDER BY 1, 2"), hours, "usage_hours after " + after);
            assertEquals(lines(statement, "SELECT session_id, model, coalesce(project, cwd, ''),"
                            + " coalesce(git_branch, ''), " + SUMS + ", min(time_ms), max(time_ms)"
                            + " FROM requests GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"),
                    lines(statement, "SELECT session_id, model, project, git_branch, " + COLUMNS
                            + ", first_time_ms, last_time_ms FROM usage_sessions WHERE rows > 0 ORDER BY 1, 2, 3, 4"),
                    "usage_sessions after " + after);
            assertEquals(List.of(), lines(statement, "SELECT * FROM usage_hours WHERE rows = 0 AND (requests != 0"
                    + " OR input_tokens != 0 OR exact_picos != 0 OR estimated_picos != 0 OR unpriced != 0)"
                    + " UNION ALL SELECT hour, model, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM usage_hours WHERE rows < 0"),
                    "a group with no rows left sums to nothing, after " + after);
            assertTrue(hours.size() > 10, "the test spans hours: " + hours.size());
        }
    }

    private static List<String> lines(Statement statement, String query) throws Exception {
        var lines = new ArrayList<String>();
        try (ResultSet result = statement.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                var line = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    // total() is REAL: the same integers, compared as integers
                    Object value = result.getObject(i);
                    line.append(value instanceof Double d ? Long.toString(d.longValue()) : String.valueOf(value))
                            .append(i < columns ? " | " : "");
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }
}
