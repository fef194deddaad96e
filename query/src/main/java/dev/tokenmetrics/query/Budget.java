package dev.tokenmetrics.query;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * Spend against a budget: the share spent, the 80 % and 100 % thresholds, and a month-end forecast at the rate
 * spent so far (priced cost over the time from the period's start, or its first request, to now). The state is the
 * command's exit status, for a cron job or a CI step (docs/REPORTS.md).
 */
public record Budget(BigDecimal budget, Usage spent, BigDecimal forecast) {

    public static final int WARNING_EXIT = 4;
    public static final int EXCEEDED_EXIT = 5;

    /** The forecast runs from the period's end (or now, if sooner) to the end of that month. */
    public static Budget of(BigDecimal budget, Usage spent, Period period, Instant now, ZoneId zone) {
        BigDecimal cost = spent.cost();
        Instant end = period.until() != null && period.until().isBefore(now) ? period.until() : now;
        Instant monthEnd = YearMonth.from(end.minusMillis(1).atZone(zone)).plusMonths(1).atDay(1).atStartOfDay(zone)
                .toInstant();
        long elapsed = period.from() == null ? 0 : Duration.between(period.from(), end).toMillis();
        BigDecimal forecast = cost;
        if (elapsed > 0) {
            BigDecimal perMs = cost.divide(BigDecimal.valueOf(elapsed), 20, RoundingMode.HALF_UP);
            forecast = cost.add(perMs.multiply(BigDecimal.valueOf(Duration.between(end, monthEnd).toMillis())));
        }
        return new Budget(budget, spent, forecast.setScale(2, RoundingMode.HALF_UP));
    }

    public int percent() {
        return spent.cost().multiply(BigDecimal.valueOf(100)).divide(budget, 0, RoundingMode.DOWN).intValue();
    }

    public int exitStatus() {
        int percent = percent();
        return percent >= 100 ? EXCEEDED_EXIT : percent >= 80 ? WARNING_EXIT : 0;
    }

    public String line() {
        int percent = percent();
        String state = percent >= 100 ? "EXCEEDED" : percent >= 80 ? "over 80 %" : "within budget";
        return "Budget " + Money.usd(budget) + ": spent " + Money.cost(spent) + " (" + percent + " %), " + state
                + "; month-end forecast at this rate " + Money.usd(forecast)
                + (spent.unpriced() > 0 ? " (" + spent.unpriced() + (spent.unpriced() == 1 ? " request" : " requests")
                        + " unpriced, not counted)" : "") + "\n";
    }
}
