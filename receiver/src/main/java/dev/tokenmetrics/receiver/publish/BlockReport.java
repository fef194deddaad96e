package dev.tokenmetrics.receiver.publish;

import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;

/**
 * The machine's active 5-hour block as the metrics file and the live file publish it (docs/METRICS-FILE.md): its
 * window, what it used so far, and where it ends at the current burn rate. The burn rate and projection are the
 * reports' {@code blocks} (and ccusage's): the usage between the block's first and last request, per minute, carried
 * on from {@code now} to the block's end; a block of one instant projects no further use.
 *
 * @param costUsd          the priced requests' cost, or null when none is priced
 * @param projectedCostUsd the cost by the block's end at the current rate, or null with {@code costUsd}
 */
public record BlockReport(Instant start, Instant end, Instant firstRequest, Instant lastRequest, TokenCounts tokens,
                          BigDecimal costUsd, long projectedTokens, BigDecimal projectedCostUsd) {

    /** The block at {@code now} from its sums (see {@code LedgerBlock}); {@code costUsd} null when unpriced. */
    public static BlockReport at(Instant now, Instant start, Instant end, Instant firstRequest, Instant lastRequest,
                                 TokenCounts tokens, BigDecimal costUsd) {
        long activeMillis = lastRequest.toEpochMilli() - firstRequest.toEpochMilli();
        long leftMillis = Math.max(0, end.toEpochMilli() - now.toEpochMilli());
        long projectedTokens = activeMillis > 0
                ? Math.round(tokens.total() + (double) tokens.total() / activeMillis * leftMillis) : tokens.total();
        BigDecimal projectedCost = costUsd == null || activeMillis <= 0 ? costUsd
                : costUsd.add(costUsd.multiply(BigDecimal.valueOf(leftMillis))
                        .divide(BigDecimal.valueOf(activeMillis), MathContext.DECIMAL64));
        return new BlockReport(start, end, firstRequest, lastRequest, tokens, costUsd, projectedTokens,
                projectedCost);
    }
}
