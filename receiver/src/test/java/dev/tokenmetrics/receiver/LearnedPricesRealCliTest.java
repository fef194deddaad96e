package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmetrics.receiver.ledger.Ledger;
import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.PriceLearner;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prices learned from the real Claude Code's telemetry: requests of one model whose token mixes differ give back
 * exactly the prices Claude Code billed them at (its catalog's, which the shipped table holds).
 */
class LearnedPricesRealCliTest {

    private static final String MODEL = "claude-haiku-4-5";
    private static final int RUNS = 5; // four types of tokens, and one request more to check the fit with

    @TempDir
    Path home;

    /** Token mixes that tell the four types apart (the default stand-in's all lie on one line). */
    private static long[] usage(int call) {
        return new long[] {1000L + 37L * call * call, 40L + 13L * call, 300L * (call % 3) + 11L * call,
                20L + 7L * call * call * call};
    }

    @Test
    void claudeCodesCostsTeachItsPricesExactly() throws Exception {
        Path claude = ClaudeCodeCli.require();
        Files.createDirectories(home);
        try (var api = new StandInMessagesApi(LearnedPricesRealCliTest::usage);
             RunningReceiver receiver = RunningReceiver.start(home)) {
            for (int run = 0; run < RUNS; run++) {
                JsonNode result = ClaudeCodeCli.print(claude, home, api.baseUrl(), receiver.port(), "say hi",
                        Map.of("ANTHROPIC_MODEL", MODEL));
                assertEquals(MODEL, result.path("modelUsage").fieldNames().next());
            }
            Path database = receiver.stateDir().resolve("usage.db");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            PriceLearner learner;
            int[] rows = new int[1];
            do {
                receiver.importTranscripts(); // the writer has written what was queued before it
                learner = new PriceLearner();
                rows[0] = 0;
                try (Ledger ledger = Ledger.open(database)) {
                    PriceLearner into = learner;
                    ledger.forEachTelemetryCost((model, tokens, cost) -> {
                        rows[0]++;
                        into.add(model, tokens, cost);
                    });
                }
            } while (rows[0] < api.calls() && System.nanoTime() < deadline);
            assertEquals(api.calls(), rows[0], "every call's telemetry in the ledger");

            Price learned = learner.learned().get(MODEL);
            assertNotNull(learned, "learned from " + rows[0] + " requests");
            Price table = PriceTable.shipped().lookup(MODEL);
            assertEquals(table.input(), learned.input());
            assertEquals(table.output(), learned.output());
            assertEquals(table.cacheRead(), learned.cacheRead());
            assertEquals(table.cacheWrite5m(), learned.cacheWrite5m());
            assertNull(learned.cacheWrite1h(), "no 1-hour cache writes were seen: no price for them");
        }
    }
}
