package dev.tokenmetrics.receiver.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** A request's cost from a model's prices: exact, as Claude Code bills it. */
class PriceTest {

    private static final Price OPUS_5_5 = Price.of("4", "20", "0.2", "5", "8");

    @Test
    void aRequestCostsItsTokensTimesThePricePerTypeExactly() {
        // The real Claude Code 2.1.330 reported $0.005024 for this usage of claude-opus-5-5, and the next request's
        // step of its running total was $0.009204: its own prices, reproduced to the last digit.
        assertEquals(new BigDecimal("0.005024"), OPUS_5_5.cost(new TokenCounts(1011, 41, 300, 20, 0)));
        assertEquals(new BigDecimal("0.009204"), OPUS_5_5.cost(new TokenCounts(2011, 42, 600, 40, 0)));
    }

    @Test
    void oneHourCacheWritesCostTheOneHourPriceAndTheRestTheFiveMinuteOne() {
        // 100 tokens written, 30 of them for an hour: 70 x $5 + 30 x $8 per million
        assertEquals(new BigDecimal("0.00059"), OPUS_5_5.cost(new TokenCounts(0, 0, 0, 100, 30)));
        // more one-hour tokens reported than written: at most all of them, as Claude Code clamps it
        assertEquals(new BigDecimal("0.0008"), OPUS_5_5.cost(new TokenCounts(0, 0, 0, 100, 500)));
    }

    @Test
    void aLongPromptIsBilledAtItsTiersPrices() {
        Price haiku = new Price(new BigDecimal("0.1"), new BigDecimal("0.5"), new BigDecimal("0.01"),
                new BigDecimal("0.125"), new BigDecimal("0.2"),
                new Price.LongPrompt(100_000, Price.of("0.5", "2.5", "0.05", "0.625", "1")));
        assertEquals(new BigDecimal("0.01"), haiku.cost(new TokenCounts(100_000, 0, 0, 0, 0)), "at the limit");
        assertEquals(new BigDecimal("0.0500005"), haiku.cost(new TokenCounts(100_001, 0, 0, 0, 0)), "above it");
        // 100,001 tokens of prompt: 90,000 x $0.5 + 2 x $2.5 + 10,000 x $0.05 + 1 x $0.625 per million
        assertEquals(new BigDecimal("0.045505625"), haiku.cost(new TokenCounts(90_000, 2, 10_000, 1, 0)),
                "the prompt is input, cache reads and cache writes");
    }

    @Test
    void aPriceMissingForATypeTheRequestHasPricesNothing() {
        var learned = new Price(new BigDecimal("3"), new BigDecimal("15"), null, null, null, null);
        assertEquals(new BigDecimal("0.000018"), learned.cost(new TokenCounts(1, 1, 0, 0, 0)));
        assertNull(learned.cost(new TokenCounts(1, 1, 1, 0, 0)), "cache reads have no price: not $0");
    }

    @Test
    void pricesAreNonNegativeWithAtMostSixDecimals() {
        assertThrows(IllegalArgumentException.class, () -> Price.of("-1", "1", "1", "1", "1"));
        var tooFine = assertThrows(IllegalArgumentException.class, () -> Price.of("1.0000001", "1", "1", "1", "1"));
        assertEquals("input price has more than 6 decimals (USD per million tokens): 1.0000001", tooFine.getMessage());
        assertEquals(Price.of("3.75", "15", "0.3", "3.75", "6"), Price.of("3.7500", "15.0", "0.30", "3.75", "6"),
                "the same prices however written");
    }
}
