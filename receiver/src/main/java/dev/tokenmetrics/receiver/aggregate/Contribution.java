package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.TokenType;
import java.math.BigDecimal;

/** What one point adds to the totals once its stream's history is taken into account. */
record Contribution(TokenType tokenType, long tokens, BigDecimal costUsd) {

    Usage asUsage() {
        return tokenType == null
                ? new Usage(TokenCounts.ZERO, costUsd)
                : new Usage(TokenCounts.ZERO.plus(tokenType, tokens), BigDecimal.ZERO);
    }
}
