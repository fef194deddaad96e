package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmetrics.receiver.publish.MetricsFile;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real Claude Code CLI exports to the receiver; the metrics file must equal what the CLI itself reports in its
 * {@code --output-format json} result: tokens exactly, cost to 1e-10 USD (the file's precision).
 */
class ClaudeCodeCliTest {

    @TempDir
    Path temp;
    private Path claude;
    private StandInMessagesApi api;
    private RunningReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        claude = ClaudeCodeCli.require();
        api = new StandInMessagesApi();
        receiver = RunningReceiver.start(Files.createDirectory(temp.resolve("receiver-home")));
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

    /** Sums the CLI's per-model usage: its own account of the session. */
    private static long[] cliTokens(JsonNode result) {
        long[] tokens = new long[4];
        result.path("modelUsage").forEach(model -> {
            tokens[0] += model.path("inputTokens").asLong();
            tokens[1] += model.path("outputTokens").asLong();
            tokens[2] += model.path("cacheReadInputTokens").asLong();
            tokens[3] += model.path("cacheCreationInputTokens").asLong();
        });
        return tokens;
    }

    private void assertSessionMatches(JsonNode result) throws Exception {
        String sessionId = result.path("session_id").asText();
        long[] expected = cliTokens(result);
        JsonNode session = receiver.awaitMetrics(m -> m.path("sessions").path(sessionId).path("tokens").path("total").asLong()
                == expected[0] + expected[1] + expected[2] + expected[3]).path("sessions").path(sessionId);
        JsonNode tokens = session.path("tokens");
        assertEquals(expected[0], tokens.path("input").asLong(), "input");
        assertEquals(expected[1], tokens.path("output").asLong(), "output");
        assertEquals(expected[2], tokens.path("cacheRead").asLong(), "cacheRead");
        assertEquals(expected[3], tokens.path("cacheCreation").asLong(), "cacheCreation");
        BigDecimal cliCost = MetricsFile.roundCost(result.path("total_cost_usd").decimalValue());
        assertEquals(0, cliCost.compareTo(session.path("costUsd").decimalValue()),
                "cost: CLI " + result.path("total_cost_usd") + ", file " + session.path("costUsd"));
        // Whatever the CLI exported last (it flushes at exit) is in the file once it covers every commit.
        assertEquals(tokens, receiver.awaitPublished().path("sessions").path(sessionId).path("tokens"));
        // The ledger: one row per API call, its sums what Claude Code billed, to the token and the exact cost.
        RunningReceiver.LedgerSums ledger = receiver.ledgerSums(sessionId);
        assertEquals(session.path("apiRequests").asInt(), ledger.requests(), "one ledger row per api_request event");
        assertEquals(expected[0], ledger.input(), "ledger input");
        assertEquals(expected[1], ledger.output(), "ledger output");
        assertEquals(expected[2], ledger.cacheRead(), "ledger cacheRead");
        assertEquals(expected[3], ledger.cacheCreation(), "ledger cacheCreation");
        assertEquals(0, cliCost.compareTo(MetricsFile.roundCost(ledger.costUsd())),
                "ledger cost: CLI " + result.path("total_cost_usd") + ", ledger " + ledger.costUsd());
    }

    @ParameterizedTest(name = "{0}, compression {1}, {2}")
    @CsvSource({
        "http/protobuf, none, delta", "http/protobuf, gzip, delta", "http/json, none, delta", "http/json, gzip, delta",
        "http/protobuf, none, cumulative", "http/protobuf, gzip, cumulative", "http/json, none, cumulative",
        "http/json, gzip, cumulative"})
    void theFileEqualsWhatClaudeCodeBilled(String protocol, String compression, String temporality) throws Exception {
        JsonNode result = ClaudeCodeCli.print(claude, Files.createDirectory(temp.resolve("home")), api.baseUrl(),
                receiver.port(), "say hi", Map.of(
                        "OTEL_EXPORTER_OTLP_PROTOCOL", protocol,
                        "OTEL_EXPORTER_OTLP_COMPRESSION", compression,
                        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", temporality));

        assertSessionMatches(result);
        long[] cli = cliTokens(result);
        assertEquals(api.servedTotal(), cli[0] + cli[1] + cli[2] + cli[3], "the CLI reports what the API served");
        JsonNode session = receiver.metrics().path("sessions").path(result.path("session_id").asText());
        assertEquals(api.calls(), session.path("apiRequests").asInt(), "api_request events, one per call");
    }

    @Test
    void everySessionAtOnceKeepsItsOwnExactFigures() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<JsonNode>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path home = Files.createDirectory(temp.resolve("home" + i));
                runs.add(pool.submit(() -> ClaudeCodeCli.print(claude, home, api.baseUrl(), receiver.port(), "say hi",
                        Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"))));
            }
            BigDecimal totalCost = BigDecimal.ZERO;
            long totalTokens = 0;
            for (Future<JsonNode> run : runs) {
                JsonNode result = run.get();
                assertSessionMatches(result);
                totalCost = totalCost.add(result.path("total_cost_usd").decimalValue());
                long[] tokens = cliTokens(result);
                totalTokens += tokens[0] + tokens[1] + tokens[2] + tokens[3];
            }
            JsonNode today = receiver.metrics().path("today");
            assertEquals(totalTokens, today.path("tokens").path("total").asLong());
            assertEquals(0, MetricsFile.roundCost(totalCost).compareTo(today.path("costUsd").decimalValue()));
        } finally {
            pool.shutdownNow();
        }
    }
}
