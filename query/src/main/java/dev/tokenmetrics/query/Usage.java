package dev.tokenmetrics.query;

import java.math.BigDecimal;

/**
 * Totals of ledger rows: the four token types, how many rows, and the cost split by how it is known. Costs are held
 * in picodollars (10^-12 USD), summed as integers: exact to the last digit any ledger cost carries.
 *
 * @param exactPicos     cost Claude Code itself reported ({@code cost_source = 'exact'})
 * @param estimatedPicos cost priced by this program ({@code learned}, {@code table})
 * @param unpriced       rows with no cost at all (NULL {@code cost_usd}): shown as unpriced, never as $0
 */
public record Usage(long requests, long input, long output, long cacheCreation, long cacheRead, long exactPicos,
                    long estimatedPicos, long unpriced) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, 0, 0);

    private static final int PICO = 12;

    public Usage plus(Usage other) {
        return new Usage(requests + other.requests, input + other.input, output + other.output,
                cacheCreation + other.cacheCreation, cacheRead + other.cacheRead, exactPicos + other.exactPicos,
                estimatedPicos + other.estimatedPicos, unpriced + other.unpriced);
    }

    public long totalTokens() {
        return input + output + cacheCreation + cacheRead;
    }

    /** The cost of the priced rows: exact plus estimated. */
    public BigDecimal cost() {
        return usd(exactPicos + estimatedPicos);
    }

    public BigDecimal exactCost() {
        return usd(exactPicos);
    }

    public BigDecimal estimatedCost() {
        return usd(estimatedPicos);
    }

    /** True when no row has a cost: the cost is unknown, not zero. */
    public boolean whollyUnpriced() {
        return unpriced > 0 && unpriced == requests;
    }

    public static BigDecimal usd(long picos) {
        BigDecimal value = BigDecimal.valueOf(picos, PICO).stripTrailingZeros();
        return value.scale() < 0 ? value.setScale(0) : value;
    }
}
