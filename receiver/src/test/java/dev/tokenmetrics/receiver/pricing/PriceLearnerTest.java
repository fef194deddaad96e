package dev.tokenmetrics.receiver.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Prices learned from requests whose exact cost is known: Claude Code bills a model by fixed prices, so requests
 * generated from known prices must give back exactly those prices, and anything that does not fit them none.
 */
class PriceLearnerTest {

    private static final Price OPUS_4_1 = Price.of("15", "75", "1.5", "18.75", "30");
    private static final Price HAIKU_3 = Price.of("0.25", "1.25", "0.03", "0.3", "0.5");
    private static final Price OPUS_5_5 = Price.of("4", "20", "0.2", "5", "8");

    private final Random random = new Random(13);

    private TokenCounts anyTokens() {
        long cacheCreation = random.nextInt(3) == 0 ? 0 : random.nextInt(50_000);
        return new TokenCounts(random.nextInt(200_000), random.nextInt(32_000), random.nextInt(2) == 0 ? 0
                : random.nextInt(1_000_000), cacheCreation, random.nextBoolean() ? 0 : random.nextInt(50_000));
    }

    /** The cost as Claude Code computes and exports it: binary floating point, printed as a decimal. */
    private static BigDecimal asClaudeCodeWritesIt(Price price, TokenCounts tokens) {
        double usd = tokens.input() / 1e6 * price.input().doubleValue()
                + tokens.output() / 1e6 * price.output().doubleValue()
                + tokens.cacheRead() / 1e6 * price.cacheRead().doubleValue()
                + tokens.cacheWrite1h() / 1e6 * price.cacheWrite1h().doubleValue()
                + tokens.cacheWrite5m() / 1e6 * price.cacheWrite5m().doubleValue();
        return new BigDecimal(Double.toString(usd));
    }

    private void addRequests(PriceLearner learner, String model, Price price, int requests) {
        for (int i = 0; i < requests; i++) {
            TokenCounts tokens = anyTokens();
            learner.add(model, tokens, asClaudeCodeWritesIt(price, tokens));
        }
    }

    @Test
    void requestsCostedByFixedPricesGiveBackExactlyThosePricesPerModel() {
        var learner = new PriceLearner();
        addRequests(learner, "claude-opus-4-1", OPUS_4_1, 200);
        addRequests(learner, "claude-3-haiku", HAIKU_3, 50);
        addRequests(learner, "claude-opus-5-5", OPUS_5_5, 8);
        assertEquals(Map.of("claude-opus-4-1", OPUS_4_1, "claude-3-haiku", HAIKU_3, "claude-opus-5-5", OPUS_5_5),
                learner.learned());
    }

    @Test
    void exactDecimalCostsToo() {
        var learner = new PriceLearner();
        for (int i = 0; i < 20; i++) {
            TokenCounts tokens = anyTokens();
            learner.add("m", tokens, OPUS_4_1.cost(tokens));
        }
        assertEquals(OPUS_4_1, learner.learned().get("m"));
    }

    @Test
    void itTakesOneRequestMoreThanTheTypesOfTokensSeen() {
        var learner = new PriceLearner();
        TokenCounts[] requests = {new TokenCounts(1000, 10, 0, 0, 0), new TokenCounts(10, 1000, 0, 0, 0),
                new TokenCounts(500, 500, 0, 0, 0)};
        learner.add("m", requests[0], OPUS_4_1.cost(requests[0]));
        learner.add("m", requests[1], OPUS_4_1.cost(requests[1]));
        assertTrue(learner.learned().isEmpty(), "two requests, two types: nothing left to check the fit with");
        learner.add("m", requests[2], OPUS_4_1.cost(requests[2]));
        Price learned = learner.learned().get("m");
        assertEquals(new BigDecimal("15"), learned.input());
        assertEquals(new BigDecimal("75"), learned.output());
        assertNull(learned.cacheRead(), "a type never seen has no price, not $0");
        assertNull(learned.cost(new TokenCounts(1, 1, 1, 0, 0)), "so it cannot price a request with cache reads");
    }

    @Test
    void requestsThatDoNotTellTheTypesApartTeachNothing() {
        var learner = new PriceLearner();
        for (long n = 1; n <= 10; n++) {
            var tokens = new TokenCounts(100 * n, 200 * n, 0, 0, 0); // always twice as much output as input
            learner.add("m", tokens, OPUS_4_1.cost(tokens));
        }
        assertTrue(learner.learned().isEmpty());
    }

    @Test
    void costsThatNoPricesReproduceAreNotTrusted() {
        var learner = new PriceLearner();
        addRequests(learner, "m", OPUS_4_1, 100);
        TokenCounts tokens = anyTokens();
        learner.add("m", tokens, OPUS_4_1.cost(tokens).add(new BigDecimal("0.01"))); // e.g. a web search's fee
        assertFalse(learner.learned().containsKey("m"));
    }

    @Test
    void theToleranceIsANanodollar() {
        for (String off : new String[] {"0.0000000005", "0.000000002"}) {
            var learner = new PriceLearner();
            addRequests(learner, "m", OPUS_4_1, 30);
            TokenCounts tokens = anyTokens();
            learner.add("m", tokens, OPUS_4_1.cost(tokens).add(new BigDecimal(off)));
            assertEquals(off.equals("0.0000000005"), learner.learned().containsKey("m"), "off by " + off);
        }
    }

    @Test
    void determinantsAreExact() {
        var matrix = new java.math.BigInteger[][] {
                {big(0), big(2), big(1)}, {big(1), big(0), big(0)}, {big(4), big(5), big(6)}};
        assertEquals(big(-7), PriceLearner.determinant(matrix)); // a zero first pivot: rows swapped
    }

    private static java.math.BigInteger big(long value) {
        return java.math.BigInteger.valueOf(value);
    }
}
