package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmetrics.receiver.publish.MetricsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI exporting metrics, with log events or without ({@code OTEL_LOGS_EXPORTER} unset), its
 * transcript imported or not, DELTA and CUMULATIVE: the session is in the ledger once, its tokens what the stand-in
 * API served and its cost what the CLI says it spent ({@code total_cost_usd}, to 1e-10 USD).
 */
class LedgerMetricsCliTest {

    @TempDir
    Path home;
    private Path claude;
    private StandInMessagesApi api;
    private RunningReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        claude = ClaudeCodeCli.require();
        api = new StandInMessagesApi();
        receiver = RunningReceiver.start(home); // imports the transcripts of the CLI run with this HOME
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

    /** Rows of a source in a session. */
    private int rows(String session, String source) throws Exception {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + receiver.stateDir().resolve("usage.db"));
             var statement = connection.prepareStatement(
                     "SELECT count(*) FROM requests WHERE session_id = ? AND source = ?")) {
            statement.setString(1, session);
            statement.setString(2, source);
            try (var result = statement.executeQuery()) {
                return result.getInt(1);
            }
        }
    }

    @ParameterizedTest(name = "{0}, log events {1}, transcript {2}")
    @CsvSource({
        "delta, false, false", "cumulative, false, false",
        "delta, true, false", "cumulative, true, false",
        "delta, false, true", "cumulative, false, true",
        "delta, true, true", "cumulative, true, true"})
    void theSessionIsInTheLedgerOnceWithWhatClaudeCodeBilled(String temporality, boolean logs, boolean transcript)
            throws Exception {
        // Without the transcript, Claude Code runs in a HOME whose transcripts the receiver does not read.
        Path cliHome = transcript ? home : Files.createDirectory(home.resolve("elsewhere"));
        JsonNode result = ClaudeCodeCli.print(claude, cliHome, api.baseUrl(), receiver.port(), "say hi", Map.of(
                "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", temporality,
                "OTEL_LOGS_EXPORTER", logs ? "otlp" : ""));
        String session = result.path("session_id").asText();
        long served = api.servedTotal();
        receiver.awaitMetrics(m -> m.path("sessions").path(session).path("tokens").path("total").asLong() == served);
        if (transcript) {
            receiver.importTranscripts();
        }

        RunningReceiver.LedgerSums ledger = receiver.ledgerSums(session);
        assertEquals(api.served(0), ledger.input(), "input");
        assertEquals(api.served(1), ledger.output(), "output");
        assertEquals(api.served(2), ledger.cacheRead(), "cacheRead");
        assertEquals(api.served(3), ledger.cacheCreation(), "cacheCreation");
        assertEquals(0, MetricsFile.roundCost(result.path("total_cost_usd").decimalValue())
                        .compareTo(MetricsFile.roundCost(ledger.costUsd())),
                "cost: CLI " + result.path("total_cost_usd") + ", ledger " + ledger.costUsd());

        int calls = api.calls();
        assertEquals(logs ? calls : 0, rows(session, "telemetry"), "a row per api_request event");
        assertEquals(!logs && transcript ? calls : 0, rows(session, "transcript"),
                "a row per transcript message telemetry did not see");
        if (logs || transcript) {
            assertEquals(0, rows(session, "metrics"), "the request rows hold everything the metrics counted");
        } else {
            assertTrue(rows(session, "metrics") > 0, "the metrics alone hold the session");
        }
    }
}
