package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.TokenType;

/**
 * Tokens by type. Sums saturate at {@link Long#MAX_VALUE} rather than wrap: a corrupt or hostile export can make a
 * total meaningless, but never negative.
 */
public record TokenCounts(long input, long output, long cacheRead, long cacheCreation) {

    public static final TokenCounts ZERO = new TokenCounts(0, 0, 0, 0);

    public long total() {
        return add(add(input, output), add(cacheRead, cacheCreation));
    }

    public long get(TokenType type) {
        return switch (type) {
            case INPUT -> input;
            case OUTPUT -> output;
            case CACHE_READ -> cacheRead;
            case CACHE_CREATION -> cacheCreation;
        };
    }

    public TokenCounts plus(TokenType type, long tokens) {
        return switch (type) {
            case INPUT -> new TokenCounts(add(input, tokens), output, cacheRead, cacheCreation);
            case OUTPUT -> new TokenCounts(input, add(output, tokens), cacheRead, cacheCreation);
            case CACHE_READ -> new TokenCounts(input, output, add(cacheRead, tokens), cacheCreation);
            case CACHE_CREATION -> new TokenCounts(input, output, cacheRead, add(cacheCreation, tokens));
        };
    }

    public TokenCounts plus(TokenCounts other) {
        return new TokenCounts(add(input, other.input), add(output, other.output), add(cacheRead, other.cacheRead),
                add(cacheCreation, other.cacheCreation));
    }

    /** {@code a + b}, saturated at the long range's ends instead of wrapping. */
    static long add(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) { // both operands' sign differs from the sum's: it overflowed
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }
}
