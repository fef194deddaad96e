package dev.tokenmetrics.query.command;

import dev.tokenmetrics.query.Filters;
import dev.tokenmetrics.query.Grouping;
import dev.tokenmetrics.query.Period;
import dev.tokenmetrics.query.Query;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Parses the command line (docs/REPORTS.md) into an {@link Invocation}; anything it cannot use is a {@link UsageError}. */
public final class Arguments {

    private static final Map<String, Duration> PERIODS = Map.of("1h", Duration.ofHours(1), "6h", Duration.ofHours(6),
            "24h", Duration.ofHours(24), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

    private Arguments() {
    }

    /**
     * @param home        the user's home, for the default ledger {@code ~/.claude/token-metrics/usage.db}
     * @param defaultZone the zone without {@code --timezone}: the caller's
     * @param now         the time {@code --period} counts back from
     */
    public static Invocation parse(List<String> arguments, Path home, ZoneId defaultZone, Instant now)
            throws UsageError {
        Grouping grouping = null;
        String since = null;
        String until = null;
        String period = null;
        String project = null;
        String branch = null;
        String model = null;
        String session = null;
        ZoneId zone = defaultZone;
        DayOfWeek startOfWeek = DayOfWeek.SUNDAY;
        Format format = Format.TABLE;
        Path output = null;
        Path database = home.resolve(".claude/token-metrics/usage.db");
        boolean breakdown = false;
        boolean compare = false;
        boolean help = false;
        BigDecimal budget = null;

        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            String name = argument;
            String inline = null;
            int equals = argument.indexOf('=');
            if (argument.startsWith("--") && equals > 0) {
                name = argument.substring(0, equals);
                inline = argument.substring(equals + 1);
            }
            if (!name.startsWith("-")) {
                Grouping named = Grouping.of(argument);
                if (named == null) {
                    throw new UsageError("unknown report '" + argument + "' (reports: daily, weekly, monthly,"
                            + " session, blocks, project, branch, model, agent, hourly)");
                }
                if (grouping != null) {
                    throw new UsageError("one report at a time: '" + grouping.command() + "' and '" + argument + "'");
                }
                grouping = named;
                continue;
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "--json", "-j" -> format = Format.JSON;
                case "--breakdown", "-b" -> breakdown = true;
                case "--compare" -> compare = true;
                case "--csv" -> {
                    format = Format.CSV;
                    String file = inline;
                    if (file == null && i + 1 < arguments.size() && !arguments.get(i + 1).startsWith("-")
                            && Grouping.of(arguments.get(i + 1)) == null) {
                        file = arguments.get(++i);
                    }
                    output = file == null || file.equals("-") ? null : Path.of(file);
                }
                default -> {
                    String value = inline != null ? inline : value(arguments, ++i, name);
                    switch (name) {
                        case "--since", "-s" -> since = value;
                        case "--until", "-u" -> until = value;
                        case "--period", "-p" -> period = value;
                        case "--project" -> project = value;
                        case "--branch" -> branch = value;
                        case "--model" -> model = value;
                        case "--session" -> session = value;
                        case "--timezone", "-z" -> zone = zone(value);
                        case "--start-of-week", "-w" -> startOfWeek = dayOfWeek(value);
                        case "--db" -> database = Path.of(value);
                        case "--html" -> {
                            format = Format.HTML;
                            output = Path.of(value);
                        }
                        case "--budget" -> budget = budget(value);
                        default -> throw new UsageError("unknown option '" + name + "' (see --help)");
                    }
                }
            }
        }
        if (grouping == null) {
            grouping = Grouping.DAILY;
        }
        if (period != null && (since != null || until != null)) {
            throw new UsageError("--period and --since/--until cannot be combined");
        }
        Period covered;
        if (period != null) {
            covered = period(period, now);
        } else {
            Instant from = since == null ? null : date(since, "--since").atStartOfDay(zone).toInstant();
            Instant to = until == null ? null : date(until, "--until").plusDays(1).atStartOfDay(zone).toInstant();
            if (from != null && to != null && !from.isBefore(to)) {
                throw new UsageError("--since " + since + " is after --until " + until);
            }
            covered = new Period(from, to);
        }
        if (compare && covered.from() == null) {
            throw new UsageError("--compare needs a period with a start (--period, or --since)");
        }
        if (compare && covered.until() == null) {
            covered = new Period(covered.from(), now);
        }
        Query query = new Query(grouping, covered, new Filters(project, branch, model, session), zone, startOfWeek);
        return new Invocation(query, format, output, database, breakdown, compare, budget, help);
    }

    private static String value(List<String> arguments, int index, String name) throws UsageError {
        if (index >= arguments.size()) {
            throw new UsageError(name + " needs a value (see --help)");
        }
        return arguments.get(index);
    }

    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("uuuuMMdd");

    /** A date as ccusage takes it: YYYYMMDD, or YYYY-MM-DD. */
    static LocalDate date(String value, String option) throws UsageError {
        try {
            return value.matches("\\d{8}") ? LocalDate.parse(value, COMPACT) : LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new UsageError(option + ": '" + value + "' is not a date (YYYY-MM-DD or YYYYMMDD)");
        }
    }

    private static Period period(String value, Instant now) throws UsageError {
        if (value.equals("all")) {
            return Period.ALL;
        }
        Duration length = PERIODS.get(value);
        if (length == null) {
            throw new UsageError("--period: '" + value + "' is not one of 1h, 6h, 24h, 7d, 30d, all");
        }
        return new Period(now.minus(length), null);
    }

    private static ZoneId zone(String value) throws UsageError {
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new UsageError("--timezone: '" + value + "' is not a time zone (such as UTC or Europe/Paris)");
        }
    }

    private static DayOfWeek dayOfWeek(String value) throws UsageError {
        try {
            return DayOfWeek.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--start-of-week: '" + value + "' is not a day (sunday, monday, ...)");
        }
    }

    private static BigDecimal budget(String value) throws UsageError {
        try {
            BigDecimal budget = new BigDecimal(value.startsWith("$") ? value.substring(1) : value);
            if (budget.signum() <= 0) {
                throw new NumberFormatException();
            }
            return budget;
        } catch (NumberFormatException e) {
            throw new UsageError("--budget: '" + value + "' is not an amount in USD greater than 0");
        }
    }
}
