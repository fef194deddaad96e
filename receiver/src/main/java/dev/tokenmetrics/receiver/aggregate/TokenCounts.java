package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.TokenType;

/** Tokens by type. */
public record TokenCounts(long input, long output, long cacheRead, long cacheCreation) {

    public static final TokenCounts ZERO = new TokenCounts(0, 0, 0, 0);

    public long total() {
        return input + output + cacheRead + cacheCreation;
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
            case INPUT -> new TokenCounts(input + tokens, output, cacheRead, cacheCreation);
            case OUTPUT -> new TokenCounts(input, output + tokens, cacheRead, cacheCreation);
            case CACHE_READ -> new TokenCounts(input, output, cacheRead + tokens, cacheCreation);
            case CACHE_CREATION -> new TokenCounts(input, output, cacheRead, cacheCreation + tokens);
        };
    }

    public TokenCounts plus(TokenCounts other) {
        return new TokenCounts(input + other.input, output + other.output, cacheRead + other.cacheRead,
                cacheCreation + other.cacheCreation);
    }
}
