package dev.tokenmetrics.query;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Costs and token counts as people read them. */
public final class Money {
    private Money() {
    }

    /** "$1.23", "$0.0042" below a cent, "unpriced" when nothing is priced, a "+" when some requests are not. */
    public static String cost(Usage usage) {
        if (usage.whollyUnpriced()) {
            return "unpriced";
        }
        return usd(usage.cost()) + (usage.unpriced() > 0 ? "+" : "");
    }

    public static String usd(BigDecimal amount) {
        int scale = amount.signum() != 0 && amount.abs().compareTo(new BigDecimal("0.01")) < 0 ? 4 : 2;
        String plain = amount.setScale(scale, RoundingMode.HALF_UP).toPlainString();
        int point = plain.indexOf('.');
        String whole = plain.substring(0, point);
        boolean negative = whole.startsWith("-");
        return (negative ? "-$" : "$") + grouped(negative ? whole.substring(1) : whole) + plain.substring(point);
    }

    /** The exact share of the priced cost, "100%", "62%", or "-" when nothing is priced. */
    public static String exactShare(Usage usage) {
        long priced = usage.exactPicos() + usage.estimatedPicos();
        if (priced == 0) {
            return usage.requests() > 0 && usage.unpriced() == 0 ? "100%" : "-";
        }
        return Math.round(100.0 * usage.exactPicos() / priced) + "%";
    }

    public static String tokens(long count) {
        return count < 0 ? "-" + grouped(Long.toString(-count)) : grouped(Long.toString(count));
    }

    /** Digits with a comma between thousands (java.util.Formatter would do it, at a cost in start-up). */
    private static String grouped(String digits) {
        var out = new StringBuilder(digits.length() + digits.length() / 3);
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) {
                out.append(',');
            }
            out.append(digits.charAt(i));
        }
        return out.toString();
    }

    /** The change from {@code before} to {@code now} in percent, "+12%", "-3%", or "new" from nothing. */
    public static String change(long now, long before) {
        if (before == 0) {
            return now == 0 ? "0%" : "new";
        }
        double percent = 100.0 * (now - before) / before;
        return (percent >= 0 ? "+" : "") + Math.round(percent) + "%";
    }
}
