package dev.tokenmetrics.receiver.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The shipped price table, the price file format and how model ids are matched (docs/LEDGER.md). */
class PriceTableTest {

    private static final PriceTable SHIPPED = PriceTable.shipped();

    @Test
    void theShippedTableHasAnthropicsPricesForTheCurrentModels() {
        assertEquals(Price.of("15", "75", "1.5", "18.75", "30"), SHIPPED.lookup("claude-opus-4-1"));
        assertEquals(Price.of("15", "75", "1.5", "18.75", "30"), SHIPPED.lookup("claude-opus-4"));
        assertEquals(Price.of("5", "25", "0.5", "6.25", "10"), SHIPPED.lookup("claude-opus-4-5"));
        assertEquals(Price.of("3", "15", "0.3", "3.75", "6"), SHIPPED.lookup("claude-sonnet-4-5"));
        assertEquals(Price.of("3", "15", "0.3", "3.75", "6"), SHIPPED.lookup("claude-sonnet-4"));
        assertEquals(Price.of("3", "15", "0.3", "3.75", "6"), SHIPPED.lookup("claude-3-7-sonnet"));
        assertEquals(Price.of("1", "5", "0.1", "1.25", "2"), SHIPPED.lookup("claude-haiku-4-5"));
        assertEquals(Price.of("0.8", "4", "0.08", "1", "1.6"), SHIPPED.lookup("claude-3-5-haiku"));
        assertEquals(Price.of("4", "20", "0.2", "5", "8"), SHIPPED.lookup("claude-opus-5-5"));
        assertNotNull(SHIPPED.lookup("claude-haiku-5-5").longPrompt(), "Haiku 5.5 has a long-prompt tier");
    }

    @Test
    void aModelIdIsMatchedWithoutItsDateProviderFormOrContextSuffix() {
        Price opus41 = SHIPPED.lookup("claude-opus-4-1");
        assertEquals(opus41, SHIPPED.lookup("claude-opus-4-1-20250805"), "first-party id with its release date");
        assertEquals(opus41, SHIPPED.lookup("us.anthropic.claude-opus-4-1-20250805-v1:0"), "Bedrock");
        assertEquals(opus41, SHIPPED.lookup("anthropic.claude-opus-4-1-20250805-v1:0"), "Bedrock, no region");
        assertEquals(opus41, SHIPPED.lookup("claude-opus-4-1@20250805"), "Vertex");
        assertEquals(SHIPPED.lookup("claude-sonnet-4-5"), SHIPPED.lookup("claude-sonnet-4-5[1m]"), "1M context");
        assertEquals(SHIPPED.lookup("claude-opus-4"), SHIPPED.lookup("claude-opus-4-20250514"));
        assertEquals(SHIPPED.lookup("claude-opus-4-5"), SHIPPED.lookup("Claude-Opus-4-5"), "case");
    }

    @Test
    void aModelTheTableDoesNotNameHasNoPriceNotARelativesPrice() {
        assertNull(SHIPPED.lookup("claude-opus-4-9"), "not claude-opus-4's price");
        assertNull(SHIPPED.lookup("claude-sonnet-4-5-turbo"));
        assertNull(SHIPPED.lookup("gpt-5"));
        assertNull(SHIPPED.lookup(""));
    }

    @Test
    void aPriceFileNamesModelsWithTheirPricesPerMillionTokens() {
        PriceTable table = PriceTable.parse("""
                {"source": "my contract", "models": {
                  "claude-opus-4-1-20250805": {"input": 12, "output": 60, "cache_read": 1.2, "cache_write_5m": 15,
                                               "cache_write_1h": 24, "note": "ignored"},
                  "my-model": {"input": 1, "output": 2, "cache_read": 0, "cache_write_5m": 0, "cache_write_1h": 0,
                               "long_prompt": {"above_prompt_tokens": 1000, "input": 2, "output": 4,
                                               "cache_read": 0, "cache_write_5m": 0, "cache_write_1h": 0}}}}
                """);
        assertEquals(Price.of("12", "60", "1.2", "15", "24"), table.lookup("claude-opus-4-1"), "keys are matched too");
        assertEquals(new BigDecimal("0.004002"), table.lookup("my-model").cost(new TokenCounts(1001, 500, 0, 0, 0)));

        PriceTable merged = SHIPPED.overriddenBy(table);
        assertEquals(Price.of("12", "60", "1.2", "15", "24"), merged.lookup("claude-opus-4-1"), "the user's wins");
        assertNotNull(merged.lookup("my-model"), "and adds");
        assertEquals(SHIPPED.lookup("claude-haiku-4-5"), merged.lookup("claude-haiku-4-5"), "the rest stays");
    }

    @Test
    void aMalformedPriceFileSaysWhatIsWrongInOneLine() {
        assertMalformed("not valid JSON", "{\"models\": {");
        assertMalformed("not a JSON object", "[1, 2]");
        assertMalformed("no \"models\" object", "{\"prices\": {}}");
        assertMalformed("model \"m\": no \"cache_write_1h\"",
                "{\"models\": {\"m\": {\"input\": 1, \"output\": 1, \"cache_read\": 1, \"cache_write_5m\": 1}}}");
        assertMalformed("model \"m\": \"input\" is not a number", "{\"models\": {\"m\": {\"input\": \"3\","
                + " \"output\": 1, \"cache_read\": 1, \"cache_write_5m\": 1, \"cache_write_1h\": 1}}}");
        assertMalformed("model \"m\": output price is negative: -1", "{\"models\": {\"m\": {\"input\": 1,"
                + " \"output\": -1, \"cache_read\": 1, \"cache_write_5m\": 1, \"cache_write_1h\": 1}}}");
        assertMalformed("model \"m\": its prices is not a JSON object", "{\"models\": {\"m\": 3}}");
        assertMalformed("unexpected content", "{\"models\": {}} {}");
    }

    private static void assertMalformed(String expected, String json) {
        var error = assertThrows(IllegalArgumentException.class, () -> PriceTable.parse(json), json);
        assertTrue(error.getMessage().contains(expected), error.getMessage());
        assertTrue(!error.getMessage().contains("\n"), "one line: " + error.getMessage());
    }
}
