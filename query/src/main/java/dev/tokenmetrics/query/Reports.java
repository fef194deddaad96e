package dev.tokenmetrics.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The query layer: a {@link Query} asked of the ledger, answered as a {@link Report}. The one place that knows how
 * each report groups rows; renderers (table, JSON, CSV, HTML) and a dashboard only present its answer. Time reports
 * are grouped in SQL by local day or hour: each request's time plus its zone's offset at that time
 * ({@link LocalTime}), so that only a row per day and model leaves SQLite. Read from the ledger's rollups
 * (docs/LEDGER.md) when they hold the answer: whole hours in a whole-hour time zone, all-time sessions, no filter
 * they do not keep; from every request otherwise.
 */
public final class Reports {

    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;

    private Reports() {
    }

    public static Report run(UsageLedger ledger, Query query) throws LedgerException {
        if (query.grouping() == Grouping.BLOCKS) {
            throw new IllegalArgumentException("blocks are answered by Blocks.run");
        }
        var rows = new HashMap<String, RowBuilder>();
        Function<String, String> key = keyOf(query);
        String dimension = dimension(query.grouping());
        UsageLedger.Source source = source(ledger, query);
        if (query.grouping().byTime()) {
            long[] span = ledger.span(source, query.period());
            if (span == null) {
                return new Report(query, List.of(), Usage.NONE);
            }
            if (source == UsageLedger.Source.HOURS
                    && !LocalTime.wholeHours(query.zone(), span[0], span[1] + HOUR_MS - 1)) {
                source = UsageLedger.Source.REQUESTS; // a zone half an hour off UTC: its days are not whole hours
                span = ledger.span(source, query.period());
            }
            String local = "(time_ms + " + LocalTime.offsetMs(query.zone(), span[0], span[1]) + ")";
            dimension = query.grouping() == Grouping.HOURLY ? local + " / " + HOUR_MS + " % 24" : local + " / " + DAY_MS;
        }
        // the projects and branches a row touched: for sessions, where they say what the session was
        ledger.groups(source, dimension, query.grouping() == Grouping.SESSION, query.period(), query.filters(),
                group -> rows.computeIfAbsent(key.apply(group.dimension()), RowBuilder::new).add(group));
        List<Row> built = new ArrayList<>(rows.size());
        for (RowBuilder builder : rows.values()) {
            built.add(builder.build());
        }
        built.sort(order(query.grouping()));
        Usage totals = Usage.NONE;
        for (Row row : built) {
            totals = totals.plus(row.usage());
        }
        return new Report(query, built, totals);
    }

    /** The rollup that holds the query's answer, if any; else every request. */
    public static UsageLedger.Source source(UsageLedger ledger, Query query) {
        Filters filters = query.filters();
        // a row's project and branch may be its session's (UsageLedger.PROJECT): no rollup knows that
        if (!ledger.hasRollups() || filters.project() != null || filters.branch() != null) {
            return UsageLedger.Source.REQUESTS;
        }
        Period period = query.period();
        if ((query.grouping().byTime() || query.grouping() == Grouping.MODEL) && filters.session() == null
                && wholeHour(period.from()) && wholeHour(period.until())) {
            return UsageLedger.Source.HOURS;
        }
        if (query.grouping() == Grouping.SESSION && period.from() == null && period.until() == null
                && filters.model() == null) {
            return UsageLedger.Source.SESSIONS;
        }
        return UsageLedger.Source.REQUESTS;
    }

    private static boolean wholeHour(Instant time) {
        return time == null || time.toEpochMilli() % HOUR_MS == 0;
    }

    private static String dimension(Grouping grouping) {
        return switch (grouping) {
            case DAILY, WEEKLY, MONTHLY, HOURLY -> null; // local days or hours, set by run()
            case SESSION -> "session_id";
            case PROJECT -> "coalesce(" + UsageLedger.PROJECT + ", '(unknown)')";
            case BRANCH -> "coalesce(" + UsageLedger.BRANCH + ", '(none)')";
            case MODEL -> "model";
            case AGENT -> "coalesce(agent_name, query_source, '(unknown)')";
            case BLOCKS -> throw new IllegalArgumentException("blocks");
        };
    }

    /** The row key of a group: time reports map the local day (epoch day) to a day, week or month. */
    private static Function<String, String> keyOf(Query query) {
        if (!query.grouping().byTime()) {
            return Function.identity();
        }
        if (query.grouping() == Grouping.HOURLY) {
            return hour -> (hour.length() == 1 ? "0" : "") + hour + ":00";
        }
        return day -> {
            LocalDate date = LocalDate.ofEpochDay(Long.parseLong(day));
            return switch (query.grouping()) {
                case DAILY -> date.toString();
                case WEEKLY -> date.with(TemporalAdjusters.previousOrSame(query.startOfWeek())).toString();
                case MONTHLY -> YearMonth.from(date).toString();
                default -> throw new IllegalStateException();
            };
        };
    }

    private static Comparator<Row> order(Grouping grouping) {
        if (grouping.byTime()) {
            return Comparator.comparing(Row::key);
        }
        if (grouping == Grouping.SESSION) {
            return Comparator.comparing(Row::last).thenComparing(Row::key);
        }
        Comparator<Row> byCost = Comparator.comparingLong(row -> row.usage().exactPicos()
                + row.usage().estimatedPicos());
        return byCost.reversed().thenComparing(Comparator.comparingLong((Row row) -> row.usage().totalTokens())
                .reversed()).thenComparing(Row::key);
    }

    /** Accumulates the groups of one row. */
    private static final class RowBuilder {
        private final String key;
        private Usage usage = Usage.NONE;
        private final Map<String, Usage> models = new TreeMap<>();
        private long first = Long.MAX_VALUE;
        private long last = Long.MIN_VALUE;
        private final Set<String> projects = new LinkedHashSet<>();
        private final Set<String> branches = new LinkedHashSet<>();

        RowBuilder(String key) {
            this.key = key;
        }

        void add(UsageLedger.Group group) {
            usage = usage.plus(group.usage());
            models.merge(group.model(), group.usage(), Usage::plus);
            first = Math.min(first, group.firstMs());
            last = Math.max(last, group.lastMs());
            projects.addAll(group.projects());
            branches.addAll(group.branches());
        }

        Row build() {
            return new Row(key, usage, models, Instant.ofEpochMilli(first), Instant.ofEpochMilli(last),
                    projects.stream().sorted().toList(), branches.stream().sorted().toList());
        }
    }
}
