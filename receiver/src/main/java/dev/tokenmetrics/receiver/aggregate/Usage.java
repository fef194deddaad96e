package dev.tokenmetrics.receiver.aggregate;

import java.math.BigDecimal;

/**
 * Tokens and cost. Cost is summed in decimal from each value's shortest representation, so the totals carry no
 * binary rounding noise of their own: a cumulative stream's increases add back up to exactly its last value.
 */
public record Usage(TokenCounts tokens, BigDecimal costUsd) {

    public static final Usage ZERO = new Usage(TokenCounts.ZERO, BigDecimal.ZERO);

    public Usage plus(Usage other) {
        return new Usage(tokens.plus(other.tokens), costUsd.add(other.costUsd));
    }
}
