package dev.tokenmetrics.query;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query string of a dashboard API request (docs/DASHBOARD.md), read once: the period ({@code since} and
 * {@code until}, local dates, both inclusive as on the command line), the filters, the time zone and a row limit.
 * A malformed parameter is an {@link ApiException}, never silently ignored.
 */
public record ApiParameters(Map<String, List<String>> values, ZoneId zone) {

    public ApiParameters {
        values = Map.copyOf(values);
    }

    /** The parameters, each given once (which names a route takes, {@link DashboardApi} checks). */
    public static ApiParameters of(Map<String, List<String>> values, ZoneId defaultZone) throws ApiException {
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            if (entry.getValue().size() != 1) {
                throw new ApiException("parameter '" + entry.getKey() + "' given " + entry.getValue().size()
                        + " times");
            }
        }
        var parameters = new ApiParameters(values, defaultZone);
        String zone = parameters.text("timezone");
        if (zone == null) {
            return parameters;
        }
        try {
            return new ApiParameters(values, ZoneId.of(zone));
        } catch (DateTimeException e) {
            throw new ApiException("timezone: '" + zone + "' is not a time zone (such as UTC or Europe/Paris)");
        }
    }

    /** The parameter's value, or null when absent (an empty value counts as absent). */
    public String text(String name) {
        List<String> given = values.get(name);
        return given == null || given.get(0).isEmpty() ? null : given.get(0);
    }

    /** {@code since} and {@code until} as a period: local midnights in the zone; either end may be open. */
    public Period period() throws ApiException {
        LocalDate since = date("since");
        LocalDate until = date("until");
        if (since != null && until != null && since.isAfter(until)) {
            throw new ApiException("since " + since + " is after until " + until);
        }
        Instant from = since == null ? null : since.atStartOfDay(zone).toInstant();
        Instant to = until == null ? null : until.plusDays(1).atStartOfDay(zone).toInstant();
        return new Period(from, to);
    }

    public Filters filters() {
        return new Filters(text("project"), text("branch"), text("model"), text("session"));
    }

    public DayOfWeek startOfWeek() throws ApiException {
        String day = text("start-of-week");
        try {
            return day == null ? DayOfWeek.SUNDAY : DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException("start-of-week: '" + day + "' is not a day (sunday, monday, ...)");
        }
    }

    /** The query for a grouping with this request's period, filters and zone. */
    public Query query(Grouping grouping) throws ApiException {
        return new Query(grouping, period(), filters(), zone, startOfWeek());
    }

    /** A positive whole number no larger than {@code max}, or {@code otherwise} when absent. */
    public int limit(int otherwise, int max) throws ApiException {
        String limit = text("limit");
        if (limit == null) {
            return otherwise;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value < 1 || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ApiException("limit: '" + limit + "' is not a number from 1 to " + max);
        }
    }

    private LocalDate date(String name) throws ApiException {
        String value = text(name);
        try {
            return value == null ? null : LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new ApiException(name + ": '" + value + "' is not a date (YYYY-MM-DD)");
        }
    }
}
