package dev.tokenmetrics.reports;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Costs and token counts as people read them. */
final class Money {
    private Money() {
    }

    /** "$1.23", "$0.0042" below a cent, "unpriced" when nothing is priced, a "+" when some requests are not. */
    static String cost(Usage usage) {
        if (usage.whollyUnpriced()) {
            return "unpriced";
        }
        return usd(usage.cost()) + (usage.unpriced() > 0 ? "+" : "");
    }

    static String usd(BigDecimal amount) {
        int scale = amount.signum() != 0 && amount.abs().compareTo(new BigDecimal("0.01")) < 0 ? 4 : 2;
        return "$" + String.format("%,." + scale + "f", amount.setScale(scale, RoundingMode.HALF_UP));
    }

    /** The exact share of the priced cost, "100%", "62%", or "-" when nothing is priced. */
    static String exactShare(Usage usage) {
        long priced = usage.exactPicos() + usage.estimatedPicos();
        if (priced == 0) {
            return usage.requests() > 0 && usage.unpriced() == 0 ? "100%" : "-";
        }
        return Math.round(100.0 * usage.exactPicos() / priced) + "%";
    }

    static String tokens(long count) {
        return String.format("%,d", count);
    }
}
