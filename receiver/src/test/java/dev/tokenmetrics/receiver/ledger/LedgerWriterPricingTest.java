package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.store.Problems;
import dev.tokenmetrics.receiver.transcripts.TranscriptReader;
import dev.tokenmetrics.receiver.transcripts.TranscriptScanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer prices what it imports from transcripts, and prices it again when the user's price file changes. */
class LedgerWriterPricingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String assistant(String messageId, String model, long input) {
        return "{\"message\":{\"id\":\"" + messageId + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
                + model + "\",\"usage\":{\"input_tokens\":" + input + ",\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":0}},\"requestId\":\"req_" + messageId
                + "\",\"type\":\"assistant\",\"timestamp\":\"2026-12-01T08:11:28.285Z\",\"cwd\":\"/home/user/proj\","
                + "\"sessionId\":\"s1\",\"version\":\"2.1.330\",\"gitBranch\":\"main\"}\n";
    }

    private Map<String, List<String>> costs(Path database) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT model, cost_usd, cost_source FROM requests")) {
            var costs = new HashMap<String, List<String>>();
            while (result.next()) {
                costs.put(result.getString(1), Arrays.asList(result.getString(2), result.getString(3)));
            }
            return costs;
        }
    }

    @Test
    void transcriptOnlyRequestsArePricedByTheTableAndAgainWhenTheUsersFileChanges() throws Exception {
        Path projects = Files.createDirectories(dir.resolve("projects/-home-user-proj"));
        Files.writeString(projects.resolve("s1.jsonl"), assistant("1", "claude-sonnet-4-5-20250929", 1_000_000)
                + assistant("2", "claude-unreleased", 1_000_000));
        Path database = dir.resolve("state/usage.db");
        var scanner = new TranscriptScanner(dir.resolve("projects"), new TranscriptReader());
        try (var writer = new LedgerWriter(Ledger.open(database), () -> {
            throw new AssertionError("no metrics in this test");
        }, scanner, new Problems())) {
            assertTrue(writer.importTranscriptsNow(WAIT));
            assertEquals(List.of("3", "table"), costs(database).get("claude-sonnet-4-5-20250929"));
            assertEquals(Arrays.asList(null, "unpriced"), costs(database).get("claude-unreleased"));

            Files.writeString(database.resolveSibling(LedgerPricing.PRICES_FILE), "{\"models\": {\"claude-unreleased\":"
                    + " {\"input\": 2, \"output\": 10, \"cache_read\": 0.2, \"cache_write_5m\": 2.5,"
                    + " \"cache_write_1h\": 4}}}");
            assertTrue(writer.importTranscriptsNow(WAIT));
            assertEquals(List.of("2", "table"), costs(database).get("claude-unreleased"), "re-priced");

            Files.writeString(projects.resolve("s1.jsonl"), assistant("3", "claude-unreleased", 500_000),
                    StandardOpenOption.APPEND);
            assertTrue(writer.importTranscriptsNow(WAIT));
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                 ResultSet result = connection.createStatement().executeQuery(
                         "SELECT sum(cost_usd) FROM requests WHERE model = 'claude-unreleased'")) {
                assertEquals(3.0, result.getDouble(1), 1e-12, "a new row priced as it is imported");
            }
        }
    }
}
