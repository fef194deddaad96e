package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.Prices;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code session_days}, which reconciliation and the metrics file's sessions read instead of a session's every row,
 * always equals the sums over the rows, per session, model, UTC day and kind (request rows, metrics rows): through
 * inserts, a transcript row that telemetry then saw, a rewritten transcript, metrics rows made and made again,
 * re-pricing and a journal replayed.
 */
class SessionDaysTest {

    private static final Instant DAY_1 = Instant.parse("2026-11-30T23:59:59.900Z");
    private static final Instant DAY_2 = Instant.parse("2026-12-01T00:00:00.100Z");
    private static final String MODEL = "claude-haiku-4-5";
    private static final String FILE = "/home/user/.claude/projects/p/s1.jsonl";

    @TempDir
    Path dir;

    private static LedgerRow telemetry(String requestId, Instant time, long input, String cost) {
        return new LedgerRow(LedgerRow.key(requestId, 0, null), Source.TELEMETRY, "s1", time, MODEL,
                new Tokens(input, 41, 300, 20, 20, 0), new BigDecimal(cost), CostSource.EXACT,
                new Call(requestId, null, null, null, null, null, null, null, null, null, null, null, null, null),
                Place.NONE, null);
    }

    private static LedgerRow transcript(String requestId, Instant time, long input, long output) {
        return new LedgerRow(LedgerRow.key(requestId, 0, "msg_" + requestId), Source.TRANSCRIPT, "s1", time, MODEL,
                new Tokens(input, output, 300, 20, 0, 0), null, CostSource.UNPRICED, Call.NONE,
                new Place(null, "/home/user/proj", "main", "msg_" + requestId), FILE);
    }

    /** Per day and kind: rows, the four token sums and the cost in picodollars, as session_days holds them. */
    private static Map<String, String> kept(Connection connection) throws Exception {
        var days = new TreeMap<String, String>();
        try (ResultSet result = connection.createStatement().executeQuery("SELECT session_id || '/' || model || '/'"
                + " || day || '/' || metrics, rows || ' ' || input_tokens || ' ' || output_tokens || ' '"
                + " || cache_read_tokens || ' ' || cache_creation_tokens || ' ' || cost_picos FROM session_days"
                + " WHERE rows > 0")) {
            while (result.next()) {
                days.put(result.getString(1), result.getString(2));
            }
        }
        return days;
    }

    /** The same, summed over the request rows now, the costs summed exactly from their decimal text. */
    private static Map<String, String> summed(Connection connection) throws Exception {
        var days = new TreeMap<String, String>();
        try (ResultSet result = connection.createStatement().executeQuery("SELECT session_id || '/' || model || '/'"
                + " || date(time_ms / 1000, 'unixepoch') || '/' || (source = 'metrics'), count(*) || ' ' || sum(input_tokens) || ' '"
                + " || sum(output_tokens) || ' ' || sum(cache_read_tokens) || ' ' || sum(cache_creation_tokens),"
                + " group_concat(cost_usd, ' ') FROM requests GROUP BY 1")) {
            while (result.next()) {
                BigDecimal cost = BigDecimal.ZERO;
                String costs = result.getString(3);
                for (String one : costs == null ? new String[0] : costs.split(" ")) {
                    cost = cost.add(new BigDecimal(one));
                }
                days.put(result.getString(1), result.getString(2) + " " + cost.movePointRight(12).toBigInteger());
            }
        }
        return days;
    }

    private void assertKeptEqualsSummed(String after) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"))) {
            Map<String, String> summed = summed(connection);
            assertFalse(summed.isEmpty());
            assertEquals(summed, kept(connection), after);
        }
    }

    @Test
    void theDaysAlwaysEqualTheSumsOverTheRequestRows() throws Exception {
        try (Ledger ledger = Ledger.open(dir.resolve("usage.db"))) {
            ledger.record(List.of(telemetry("r1", DAY_1, 1011, "0.005024"), transcript("r2", DAY_1, 7, 1),
                    transcript("r3", DAY_2, 9, 2)));
            assertKeptEqualsSummed("inserts on either side of midnight (UTC)");

            ledger.record(List.of(transcript("r2", DAY_1, 7, 17)));
            assertKeptEqualsSummed("a streamed message's final usage");

            ledger.record(List.of(telemetry("r3", DAY_2, 10, "0.000123456789012")));
            assertKeptEqualsSummed("a transcript row telemetry then saw: its figures and exact cost");

            ledger.record(List.of(), List.of(new MetricTotal("s1", MODEL, DAY_2, 100_000, 5_000, 300, 20,
                    new BigDecimal("9.5"), null)));
            assertKeptEqualsSummed("metrics rows, kept apart");

            ledger.record(List.of(telemetry("r5", DAY_2, 50_000, "2.25")));
            assertKeptEqualsSummed("a request the metrics counted: its metrics row made again, smaller");

            ledger.replaceTranscript(FILE, List.of(transcript("r4", DAY_2, 3, 3)));
            assertKeptEqualsSummed("a rewritten transcript: its rows gone, telemetry's kept");

            ledger.reprice(Map.of(MODEL, new Prices.Rule(null, PriceTable.shipped().lookup(MODEL))));
            assertKeptEqualsSummed("transcript rows priced from the table");

            ledger.record(List.of(telemetry("r1", DAY_1, 1011, "0.005024"), telemetry("r3", DAY_2, 10,
                    "0.000123456789012")));
            assertKeptEqualsSummed("a journal replayed: nothing changes");
        }
    }

    @Test
    void aLedgerFromBeforeTheDaysIsFilledByItsMigration() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"))) {
            LedgerSchema.migrate(connection, 3);
            for (String row : List.of("'req:r1', 'telemetry', 's1', " + DAY_1.toEpochMilli() + ", 1011, '0.005024',"
                    + " 'exact'", "'msg:m2', 'transcript', 's1', " + DAY_2.toEpochMilli() + ", 5, NULL, 'unpriced'",
                    "'met:s1', 'metrics', 's1', " + DAY_2.toEpochMilli() + ", 900, '1.5', 'exact'")) {
                connection.createStatement().execute("INSERT INTO requests (key, source, session_id, time_ms,"
                        + " input_tokens, cost_usd, cost_source, model, output_tokens, cache_read_tokens,"
                        + " cache_creation_tokens, cache_creation_5m_tokens, cache_creation_1h_tokens)"
                        + " VALUES (" + row + ", '" + MODEL + "', 1, 2, 3, 3, 0)");
            }
        }
        try (Ledger ignored = Ledger.open(dir.resolve("usage.db"))) {
            assertKeptEqualsSummed("migration 4 over a version 3 ledger's rows");
        }
    }
}
