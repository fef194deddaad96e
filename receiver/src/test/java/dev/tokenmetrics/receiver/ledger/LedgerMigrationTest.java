package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An older ledger with rows, opened by this program: migrated to the current schema, every row kept. */
class LedgerMigrationTest {

    @TempDir
    Path dir;

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"));
    }

    private static List<String> column(Statement statement, String query) throws Exception {
        var values = new ArrayList<String>();
        try (ResultSet result = statement.executeQuery(query)) {
            while (result.next()) {
                values.add(result.getString(1));
            }
        }
        return values;
    }

    @Test
    void aMigrationThatFailsLeavesTheLedgerAsItWas() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            LedgerSchema.migrate(connection, 2);
            statement.execute("INSERT INTO transcript_scan (id, state) VALUES (1, 'scan state')");
            statement.execute("CREATE TABLE requests_v2 (x)"); // in the migration's way, halfway through it
        }
        java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Ledger.open(dir.resolve("usage.db")));
        assertTrue(refused.getMessage().contains("requests_v2"), refused.getMessage());
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            assertEquals(List.of("2"), column(statement, "PRAGMA user_version"));
            assertEquals(List.of("sessions"), column(statement, "SELECT name FROM sqlite_master WHERE type = 'view'"),
                    "the view the migration dropped first is back");
            assertEquals(List.of("usage_totals_delete", "usage_totals_insert", "usage_totals_update"),
                    column(statement, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"));
            assertEquals(List.of("scan state"), column(statement, "SELECT state FROM transcript_scan"));
        }
    }

    @Test
    void aVersionOneLedgerIsMigratedWithItsRowsAndTakesMetricsRows() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            LedgerSchema.migrate(connection, 1);
            statement.execute("INSERT INTO requests (key, source, session_id, time_ms, model, input_tokens,"
                    + " output_tokens, cache_read_tokens, cache_creation_tokens, cache_creation_5m_tokens,"
                    + " cache_creation_1h_tokens, cost_usd, cost_source, request_id, query_source, project)"
                    + " VALUES ('req:req_1', 'telemetry', 's1', 1796112688253, 'claude-opus-5-5', 1011, 41, 300, 20,"
                    + " 20, 0, '0.005024', 'exact', 'req_1', 'sdk', 'proj')");
            statement.execute("INSERT INTO requests (key, source, session_id, time_ms, model, input_tokens,"
                    + " output_tokens, cache_read_tokens, cache_creation_tokens, cache_creation_5m_tokens,"
                    + " cache_creation_1h_tokens, cost_source, cwd, message_id, transcript)"
                    + " VALUES ('msg:msg_2', 'transcript', 's1', 1796112690000, 'claude-opus-5-5', 5, 1, 0, 0,"
                    + " 0, 0, 'unpriced', '/home/user/proj', 'msg_2', '/t/s1.jsonl')");
            statement.execute("INSERT INTO transcript_scan (id, state) VALUES (1, 'scan state')");
            assertEquals(List.of("1"), column(statement, "PRAGMA user_version"));
        }

        try (Ledger ledger = Ledger.open(dir.resolve("usage.db"))) {
            assertEquals("scan state", ledger.transcriptScanState());
            // Only a migrated table takes the new source.
            ledger.record(List.of(), List.of(new MetricTotal("s2", "claude-opus-5-5",
                    Instant.parse("2026-12-01T09:00:00Z"), 7, 1, 0, 0, new BigDecimal("0.0001"), "proj2")));
        }

        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            assertEquals(List.of(Integer.toString(LedgerSchema.VERSION)), column(statement, "PRAGMA user_version"));
            assertEquals(List.of(
                    "met:s2/claude-opus-5-5/2026-12-01 metrics 7 0.0001 exact proj2",
                    "msg:msg_2 transcript 5 null unpriced /home/user/proj 2026-12-01T08:11:30.000Z /t/s1.jsonl",
                    "req:req_1 telemetry 1011 0.005024 exact proj sdk 2026-12-01T08:11:28.253Z"),
                    column(statement, "SELECT key || ' ' || source || ' ' || input_tokens || ' '"
                            + " || coalesce(cost_usd, 'null') || ' ' || cost_source"
                            + " || coalesce(' ' || project, '') || coalesce(' ' || query_source, '')"
                            + " || coalesce(' ' || cwd, '') || CASE WHEN source = 'metrics' THEN '' ELSE ' ' || time END"
                            + " || coalesce(' ' || transcript, '') FROM requests ORDER BY key"));
            assertEquals(List.of("requests_by_session", "requests_by_time", "requests_by_transcript"),
                    column(statement, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'"
                            + " AND name NOT LIKE 'sqlite_%' ORDER BY name"));
            assertEquals(List.of("s1 2 0 1016", "s2 0 1 7"), column(statement, "SELECT session_id || ' ' || requests"
                    + " || ' ' || metrics_rows || ' ' || input_tokens FROM sessions ORDER BY session_id"));
            assertEquals(List.of("session_days_delete", "session_days_insert", "session_days_update",
                            "usage_hours_delete", "usage_hours_insert", "usage_hours_update",
                            "usage_sessions_delete", "usage_sessions_insert", "usage_sessions_update",
                            "usage_totals_delete", "usage_totals_insert", "usage_totals_update"),
                    column(statement, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"),
                    "usage_totals' triggers made again on the rebuilt table, then session_days' (version 4) and the"
                            + " rollups' (version 5)");
            assertEquals(List.of("s1 2026-12-01 0 2 1016", "s2 2026-12-01 1 1 7"), column(statement,
                    "SELECT session_id || ' ' || day || ' ' || metrics || ' ' || rows || ' ' || input_tokens"
                    + " FROM session_days ORDER BY session_id"), "session_days: request rows, metrics rows");
            assertEquals(List.of("498920 claude-opus-5-5 2 2 1016 5024000000", "498921 claude-opus-5-5 1 0 7 100000000"), column(statement,
                    "SELECT hour || ' ' || model || ' ' || rows || ' ' || requests || ' ' || input_tokens || ' '"
                            + " || exact_picos FROM usage_hours ORDER BY hour"),
                    "usage_hours filled from the migrated rows (08:00 UTC), and the metrics row added since (09:00)");
            assertEquals(List.of("s1 proj 1 1 1011 1796112688253 1796112688253",
                            "s1 /home/user/proj 1 1 5 1796112690000 1796112690000",
                            "s2 proj2 1 0 7 1796115600000 1796115600000"), column(statement,
                    "SELECT session_id || ' ' || project || ' ' || rows || ' ' || requests || ' ' || input_tokens"
                            + " || ' ' || first_time_ms || ' ' || last_time_ms"
                            + " FROM usage_sessions ORDER BY session_id, input_tokens DESC"),
                    "usage_sessions filled from the migrated rows, first and last times too (version 6), and the"
                            + " metrics row added since");
            assertEquals(List.of("claude-opus-5-5 2 1016"), column(statement, "SELECT model || ' ' || sum(requests)"
                    + " || ' ' || sum(input_tokens) FROM usage_totals GROUP BY model"),
                    "usage_totals: the request rows, kept through the rebuild; the metrics row not in it");
            assertTrue(column(statement, "PRAGMA integrity_check").contains("ok"));
        }
    }
}
