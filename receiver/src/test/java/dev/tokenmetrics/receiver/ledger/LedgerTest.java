package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger as users and reports see it through sqlite3: one row per request, however often it is seen. */
class LedgerTest {

    private static final Instant T = Instant.parse("2026-12-01T08:11:28.253Z");

    @TempDir
    Path dir;

    private Path database() {
        return dir.resolve("usage.db");
    }

    private static LedgerRow telemetry(String requestId, long input, String cost) {
        return new LedgerRow(LedgerRow.key(requestId, 42, null), Source.TELEMETRY, "s1", T, "claude-opus-5-5",
                new Tokens(input, 41, 300, 20, 20, 0), new BigDecimal(cost), CostSource.EXACT,
                new Call(requestId, 86L, 32L, "sdk", "medium", "normal", null, null, "p1", "u1", null, null, "xterm",
                        "2.1.330"), new Place("proj", null, null, null), null);
    }

    private static LedgerRow transcript(String requestId, long input, long output) {
        return new LedgerRow(LedgerRow.key(requestId, 0, "msg_1"), Source.TRANSCRIPT, "s1", T.plusMillis(5),
                "claude-opus-5-5", new Tokens(input, output, 300, 20, 0, 0), null, CostSource.UNPRICED, Call.NONE,
                new Place(null, "/home/user/proj", "feature/x", "msg_1"), "/home/user/.claude/projects/p/s1.jsonl");
    }

    private List<Map<String, Object>> rows() throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database());
             ResultSet result = connection.createStatement().executeQuery("SELECT * FROM requests ORDER BY key")) {
            var rows = new ArrayList<Map<String, Object>>();
            while (result.next()) {
                var row = new LinkedHashMap<String, Object>();
                for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                    row.put(result.getMetaData().getColumnName(i), result.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private void record(LedgerRow... rows) throws IOException {
        try (Ledger ledger = Ledger.open(database())) {
            ledger.record(List.of(rows));
        }
    }

    @Test
    void aRequestSeenByTelemetryAndInATranscriptIsOneRowWithTelemetrysFiguresAndTheTranscriptsPlace()
            throws Exception {
        for (boolean telemetryFirst : new boolean[] {true, false}) {
            java.nio.file.Files.deleteIfExists(database());
            if (telemetryFirst) {
                record(telemetry("req_1", 1011, "0.005024"));
                record(transcript("req_1", 999, 7));
            } else {
                record(transcript("req_1", 999, 7));
                record(telemetry("req_1", 1011, "0.005024"));
            }
            List<Map<String, Object>> rows = rows();
            assertEquals(1, rows.size(), "counted once, telemetry first: " + telemetryFirst);
            Map<String, Object> row = rows.get(0);
            assertEquals("telemetry", row.get("source"));
            assertEquals(1011, row.get("input_tokens"), "telemetry's figures: what Claude Code billed");
            assertEquals(41, row.get("output_tokens"));
            assertEquals("0.005024", row.get("cost_usd"));
            assertEquals("exact", row.get("cost_source"));
            assertEquals("/home/user/proj", row.get("cwd"), "the transcript's place");
            assertEquals("feature/x", row.get("git_branch"));
            assertEquals("msg_1", row.get("message_id"));
            assertEquals("proj", row.get("project"));
            assertEquals("sdk", row.get("query_source"));
            assertEquals("2026-12-01T08:11:28.253Z", row.get("time"), "telemetry's time, readable in sqlite3");
        }
    }

    @Test
    void aRetriedExportAndAReplayedJournalChangeNothing() throws Exception {
        record(telemetry("req_1", 1011, "0.005024"));
        record(telemetry("req_1", 1011, "0.005024"), telemetry("req_2", 5, "0.0001"));
        record(telemetry("req_2", 5, "0.0001"));
        assertEquals(2, rows().size());
    }

    @Test
    void aStreamedTranscriptMessageKeepsItsFinalUsage() throws Exception {
        record(transcript("req_1", 1011, 1), transcript("req_1", 1011, 17));
        record(transcript("req_1", 1011, 41));
        List<Map<String, Object>> rows = rows();
        assertEquals(1, rows.size());
        assertEquals(41, rows.get(0).get("output_tokens"));
        assertNull(rows.get(0).get("cost_usd"), "unpriced is no cost, never $0");
    }

    @Test
    void theSessionsViewSumsExactDecimalCosts() throws Exception {
        record(telemetry("req_1", 1, "0.1"), telemetry("req_2", 2, "0.2"));
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database());
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT requests, input_tokens, cost_usd FROM sessions WHERE session_id = 's1'")) {
            assertTrue(result.next());
            assertEquals(2, result.getInt(1));
            assertEquals(3, result.getLong(2));
            assertEquals(0.3, result.getDouble(3), 1e-12);
        }
    }

    @Test
    void theLedgerAndItsWalFilesArePrivate() throws Exception {
        record(telemetry("req_1", 1, "0.1"));
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(file)), file.toString());
            }
        }
    }

    @Test
    void theSchemaIsVersionedAndANewerOneIsRefusedWithAClearMessage() throws Exception {
        record(telemetry("req_1", 1, "0.1"));
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database());
             ResultSet result = connection.createStatement().executeQuery("PRAGMA user_version")) {
            assertEquals(LedgerSchema.VERSION, result.getInt(1));
        }
        record(telemetry("req_2", 1, "0.1")); // reopening migrates nothing and keeps the rows
        assertEquals(2, rows().size());

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database())) {
            connection.createStatement().execute("PRAGMA user_version = " + (LedgerSchema.VERSION + 1));
        }
        IOException refused = assertThrows(IOException.class, () -> Ledger.open(database()));
        assertTrue(refused.getMessage().contains("newer than this program's"), refused.getMessage());
    }
}
