package dev.tokenmetrics.query;

import java.time.DayOfWeek;
import java.time.ZoneId;

/** A report asked of the ledger: which rows, how grouped, in which time zone (days, weeks and hours are local). */
public record Query(Grouping grouping, Period period, Filters filters, ZoneId zone, DayOfWeek startOfWeek) {
}
