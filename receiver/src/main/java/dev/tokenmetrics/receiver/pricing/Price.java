package dev.tokenmetrics.receiver.pricing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One model's prices in USD per million tokens of each type, with at most 6 decimals (so that a request's cost is a
 * whole number of 10^-12 USD, which the ledger's re-pricing computes in SQLite's integers). A learned price leaves
 * a type it never saw {@code null}: it cannot price a request with tokens of that type.
 *
 * @param longPrompt other prices for prompts above a size (Claude Code's {@code long_prompt}), or {@code null}
 */
public record Price(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite5m,
                    BigDecimal cacheWrite1h, LongPrompt longPrompt) {

    /** The prices for a request whose prompt (input, cache reads and cache creation) is above a number of tokens. */
    public record LongPrompt(long abovePromptTokens, Price price) {
        public LongPrompt {
            Objects.requireNonNull(price, "price");
            if (abovePromptTokens < 0 || price.longPrompt() != null) {
                throw new IllegalArgumentException("a long-prompt tier is a token count >= 0 and plain prices");
            }
        }
    }

    private static final int DECIMALS = 6;

    public Price {
        input = checked(input, "input");
        output = checked(output, "output");
        cacheRead = checked(cacheRead, "cache_read");
        cacheWrite5m = checked(cacheWrite5m, "cache_write_5m");
        cacheWrite1h = checked(cacheWrite1h, "cache_write_1h");
    }

    public static Price of(String input, String output, String cacheRead, String cacheWrite5m, String cacheWrite1h) {
        return new Price(new BigDecimal(input), new BigDecimal(output), new BigDecimal(cacheRead),
                new BigDecimal(cacheWrite5m), new BigDecimal(cacheWrite1h), null);
    }

    private static BigDecimal checked(BigDecimal perMillion, String type) {
        if (perMillion == null) {
            return null;
        }
        if (perMillion.signum() < 0) {
            throw new IllegalArgumentException(type + " price is negative: " + perMillion.toPlainString());
        }
        BigDecimal plain = perMillion.signum() == 0 ? BigDecimal.ZERO : perMillion.stripTrailingZeros();
        if (plain.scale() > DECIMALS) {
            throw new IllegalArgumentException(type + " price has more than " + DECIMALS
                    + " decimals (USD per million tokens): " + perMillion.toPlainString());
        }
        return plain.scale() < 0 ? plain.setScale(0) : plain;
    }

    /** The prices that apply to a request of these tokens: the long-prompt tier's above its size. */
    public Price tierFor(TokenCounts tokens) {
        return longPrompt != null && tokens.prompt() > longPrompt.abovePromptTokens() ? longPrompt.price() : this;
    }

    /** Whether every type of token the request has is priced. */
    public boolean covers(TokenCounts tokens) {
        Price tier = tierFor(tokens);
        return covered(tokens.input(), tier.input) && covered(tokens.output(), tier.output)
                && covered(tokens.cacheRead(), tier.cacheRead) && covered(tokens.cacheWrite5m(), tier.cacheWrite5m)
                && covered(tokens.cacheWrite1h(), tier.cacheWrite1h);
    }

    private static boolean covered(long tokens, BigDecimal price) {
        return tokens == 0 || price != null;
    }

    /** The request's cost in USD, exact; {@code null} when a type of its tokens is not priced. */
    public BigDecimal cost(TokenCounts tokens) {
        if (!covers(tokens)) {
            return null;
        }
        Price tier = tierFor(tokens);
        long pico = Math.addExact(Math.addExact(Math.addExact(Math.addExact(
                times(tokens.input(), tier.input), times(tokens.output(), tier.output)),
                times(tokens.cacheRead(), tier.cacheRead)), times(tokens.cacheWrite5m(), tier.cacheWrite5m)),
                times(tokens.cacheWrite1h(), tier.cacheWrite1h));
        return usd(pico);
    }

    /** A whole number of 10^-12 USD as the ledger writes it: a plain decimal without trailing zeros. */
    static BigDecimal usd(long pico) {
        BigDecimal usd = BigDecimal.valueOf(pico, 12);
        return pico == 0 ? BigDecimal.ZERO : usd.stripTrailingZeros();
    }

    private static long times(long tokens, BigDecimal perMillion) {
        return tokens == 0 ? 0 : Math.multiplyExact(tokens, picoPerToken(perMillion));
    }

    /** USD per million tokens as 10^-12 USD per token, exact (6 decimals at most); {@code null} stays null. */
    public static Long picoPerTokenOrNull(BigDecimal perMillion) {
        return perMillion == null ? null : picoPerToken(perMillion);
    }

    private static long picoPerToken(BigDecimal perMillion) {
        return perMillion.movePointRight(DECIMALS).longValueExact();
    }
}
