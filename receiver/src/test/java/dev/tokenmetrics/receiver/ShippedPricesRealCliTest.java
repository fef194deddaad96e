package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.TokenCounts;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped price table against the real Claude Code: for each model, the CLI's own cost of its requests (its
 * {@code modelUsage}, with the stand-in API answering as that model) is what the table prices their tokens at.
 */
class ShippedPricesRealCliTest {

    /** Claude Code's cost is binary floating point; a price off by 10^-6 USD per million tokens shows at 10^-9. */
    private static final BigDecimal FLOATING_POINT = new BigDecimal("1e-13");

    @TempDir
    Path home;

    @ParameterizedTest
    @ValueSource(strings = {"claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-5-5"})
    void claudeCodeBillsAModelsTokensAtTheShippedTablesPrices(String model) throws Exception {
        Path claude = ClaudeCodeCli.require();
        Files.createDirectories(home);
        try (var api = new StandInMessagesApi()) {
            JsonNode result = ClaudeCodeCli.print(claude, home, api.baseUrl(), 9, "say hi",
                    Map.of("CLAUDE_CODE_ENABLE_TELEMETRY", "0", "ANTHROPIC_MODEL", model));
            assertTrue(api.calls() > 0);
            JsonNode usage = result.path("modelUsage");
            assertTrue(usage.size() > 0, result.toString());
            for (Iterator<Map.Entry<String, JsonNode>> it = usage.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode totals = entry.getValue();
                Price price = PriceTable.shipped().lookup(entry.getKey());
                assertNotNull(price, "the table names " + entry.getKey());
                var tokens = new TokenCounts(totals.path("inputTokens").asLong(), totals.path("outputTokens").asLong(),
                        totals.path("cacheReadInputTokens").asLong(), totals.path("cacheCreationInputTokens").asLong(),
                        totals.path("cacheCreationEphemeral1hInputTokens").asLong());
                BigDecimal claudeCodes = totals.path("costUSD").decimalValue();
                BigDecimal ours = price.cost(tokens);
                assertTrue(ours.subtract(claudeCodes).abs().compareTo(FLOATING_POINT) <= 0,
                        entry.getKey() + ": Claude Code says " + claudeCodes + ", the table " + ours);
            }
            assertEquals(model, usage.fieldNames().next(), "the stand-in answered as the model asked for");
        }
    }
}
