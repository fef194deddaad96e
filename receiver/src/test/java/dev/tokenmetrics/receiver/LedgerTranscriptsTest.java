package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger from Claude Code's transcripts, with the real CLI and the stand-in API: a session run with telemetry
 * off is there from its transcript, tokens exact, with its project directory and git branch; so is one from before
 * the receiver started; a session telemetry saw too is there once, with telemetry's figures and the transcript's
 * place.
 */
class LedgerTranscriptsTest {

    @TempDir
    Path home;
    private Path claude;
    private StandInMessagesApi api;
    private RunningReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        claude = ClaudeCodeCli.require();
        api = new StandInMessagesApi();
        receiver = RunningReceiver.start(home);
        Path project = Files.createDirectories(home.resolve("project"));
        git(project, "init", "-q", "-b", "feature/x");
        git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start");
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static void git(Path directory, String... arguments) throws Exception {
        var command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0, "git: " + output);
    }

    private record Row(String source, long tokens, String cost, String costSource, String cwd, String branch) {
    }

    private List<Row> rows(String session) throws Exception {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + receiver.stateDir().resolve("usage.db"));
             var statement = connection.prepareStatement("SELECT source, input_tokens + output_tokens"
                     + " + cache_read_tokens + cache_creation_tokens, cost_usd, cost_source, cwd, git_branch"
                     + " FROM requests WHERE session_id = ?")) {
            statement.setString(1, session);
            var rows = new ArrayList<Row>();
            try (var result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(new Row(result.getString(1), result.getLong(2), result.getString(3), result.getString(4),
                            result.getString(5), result.getString(6)));
                }
            }
            return rows;
        }
    }

    private static long cliTokens(JsonNode result) {
        long total = 0;
        for (JsonNode model : result.path("modelUsage")) {
            total += model.path("inputTokens").asLong() + model.path("outputTokens").asLong()
                    + model.path("cacheReadInputTokens").asLong() + model.path("cacheCreationInputTokens").asLong();
        }
        return total;
    }

    @Test
    void aSessionRunWithTrackingOffIsInTheLedgerFromItsTranscript() throws Exception {
        int callsBefore = api.calls();
        JsonNode result = ClaudeCodeCli.print(claude, home, api.baseUrl(), receiver.port(), "say hi",
                Map.of("CLAUDE_CODE_ENABLE_TELEMETRY", "0"));
        int calls = api.calls() - callsBefore;
        assertEquals(0, receiver.commits(), "telemetry was off: nothing was exported");

        receiver.importTranscripts();

        List<Row> rows = rows(result.path("session_id").asText());
        assertEquals(calls, rows.size(), "one row per API call the stand-in answered: " + rows);
        assertEquals(cliTokens(result), rows.stream().mapToLong(Row::tokens).sum(), "tokens exact");
        for (Row row : rows) {
            assertEquals("transcript", row.source());
            assertEquals(home.resolve("project").toRealPath().toString(), row.cwd());
            assertEquals("feature/x", row.branch());
        }
        // "say hi" is one call (CLI 2.1.331), and Claude Code's running total stepped by exactly that request
        assertEquals(1, rows.size());
        assertEquals("exact", rows.get(0).costSource());
        assertEquals(0, result.path("total_cost_usd").decimalValue().compareTo(new BigDecimal(rows.get(0).cost())));
    }

    @Test
    void transcriptsOlderThanTheReceiverAreImportedWhenItStarts() throws Exception {
        int port = receiver.port();
        receiver.close(); // Claude Code ran before the receiver was installed, or while it was down
        JsonNode result = ClaudeCodeCli.print(claude, home, api.baseUrl(), port, "say hi",
                Map.of("CLAUDE_CODE_ENABLE_TELEMETRY", "0"));
        String session = result.path("session_id").asText();

        receiver = RunningReceiver.start(home); // no explicit import: the one at start
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Row> rows = rows(session);
        while (rows.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            rows = rows(session);
        }
        assertEquals(1, rows.size(), "imported at start: " + rows);
        assertEquals(cliTokens(result), rows.get(0).tokens());
        assertEquals("feature/x", rows.get(0).branch());
    }

    @Test
    void aRequestSeenByTelemetryAndInItsTranscriptCountsOnce() throws Exception {
        JsonNode result = ClaudeCodeCli.print(claude, home, api.baseUrl(), receiver.port(), "say hi", Map.of());
        String session = result.path("session_id").asText();
        receiver.awaitPublished();
        List<Row> telemetryOnly = rows(session);

        receiver.importTranscripts();

        List<Row> rows = rows(session);
        assertEquals(telemetryOnly.size(), rows.size(), "the transcript added no row: " + rows);
        assertEquals(cliTokens(result), rows.stream().mapToLong(Row::tokens).sum());
        for (Row row : rows) {
            assertEquals("telemetry", row.source(), "telemetry's figures stand");
            assertEquals("exact", row.costSource());
            assertEquals("feature/x", row.branch(), "the transcript's branch");
            assertEquals(home.resolve("project").toRealPath().toString(), row.cwd());
        }
    }
}
