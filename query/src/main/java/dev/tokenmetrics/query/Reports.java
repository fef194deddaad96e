package dev.tokenmetrics.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
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
        boolean together = source == UsageLedger.Source.SESSIONS; // a session's groups come together, in order
        List<Row> built = new ArrayList<>();
        RowBuilder[] last = {null}; // groups of a row come together (a session's, in usage_sessions' key order)
        ledger.groups(source, dimension, query.grouping() == Grouping.SESSION, query.period(), query.filters(),
                group -> {
                    String rowKey = key.apply(group.dimension());
                    RowBuilder builder = last[0];
                    if (builder == null || !java.util.Objects.equals(builder.key, rowKey)) {
                        if (together) {
                            // built as soon as it is whole: a year's 5,000 sessions' builders (1.5 MB) are never
                            // all alive at once
                            if (builder != null) {
                                built.add(builder.build());
                            }
                            builder = new RowBuilder(rowKey);
                        } else {
                            builder = rows.computeIfAbsent(rowKey, RowBuilder::new);
                        }
                        last[0] = builder;
                    }
                    builder.add(group);
                });
        if (together && last[0] != null) {
            built.add(last[0].build());
        }
        for (RowBuilder builder : rows.values()) {
            built.add(builder.build());
        }
        built.sort(order(query.grouping()));
        var totals = new Sum();
        for (Row row : built) {
            totals.add(row.usage());
        }
        return new Report(query, built, totals.usage());
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
            return (a, b) -> a.key().compareTo(b.key());
        }
        if (grouping == Grouping.SESSION) {
            return (a, b) -> {
                int byLast = a.last().compareTo(b.last());
                return byLast != 0 ? byLast : a.key().compareTo(b.key());
            };
        }
        Comparator<Row> byCost = Comparator.comparingLong(row -> row.usage().exactPicos()
                + row.usage().estimatedPicos());
        return byCost.reversed().thenComparing(Comparator.comparingLong((Row row) -> row.usage().totalTokens())
                .reversed()).thenComparing(Row::key);
    }

    /**
     * Accumulates the groups of one row: its models and places in small arrays (a row has a few), where sets and
     * maps cost more than the searching they save.
     */
    private static final class RowBuilder {
        private final String key;
        private final Sum usage = new Sum();
        private String[] modelNames = new String[4];
        private Usage[] modelUsages = new Usage[4];
        private int models;
        private long first = Long.MAX_VALUE;
        private long last = Long.MIN_VALUE;
        private final Places projects = new Places();
        private final Places branches = new Places();

        RowBuilder(String key) {
            this.key = key;
        }

        void add(UsageLedger.Group group) {
            usage.add(group.usage());
            addModel(group.model(), group.usage());
            first = Math.min(first, group.firstMs());
            last = Math.max(last, group.lastMs());
            projects.addAll(group.projects());
            branches.addAll(group.branches());
        }

        private void addModel(String model, Usage more) {
            for (int i = 0; i < models; i++) {
                if (modelNames[i].equals(model)) {
                    modelUsages[i] = modelUsages[i].plus(more);
                    return;
                }
            }
            if (models == modelNames.length) {
                modelNames = java.util.Arrays.copyOf(modelNames, 2 * models);
                modelUsages = java.util.Arrays.copyOf(modelUsages, 2 * models);
            }
            modelNames[models] = model;
            modelUsages[models++] = more;
        }

        Row build() {
            return new Row(key, usage.usage(), SortedModels.of(modelNames, modelUsages, models),
                    Instant.ofEpochMilli(first), Instant.ofEpochMilli(last), projects.sorted(), branches.sorted());
        }
    }

    /**
     * A sum of usages, added in place: a year's session report adds 10,000 groups into 5,000 rows, each sum a new
     * Usage otherwise.
     */
    private static final class Sum {
        private Usage single; // the only usage added so far, if one: most sums are of one or two
        private long requests;
        private long input;
        private long output;
        private long cacheCreation;
        private long cacheRead;
        private long exactPicos;
        private long estimatedPicos;
        private long unpriced;
        private int added;

        void add(Usage usage) {
            single = added++ == 0 ? usage : null;
            requests += usage.requests();
            input += usage.input();
            output += usage.output();
            cacheCreation += usage.cacheCreation();
            cacheRead += usage.cacheRead();
            exactPicos += usage.exactPicos();
            estimatedPicos += usage.estimatedPicos();
            unpriced += usage.unpriced();
        }

        Usage usage() {
            return single != null ? single : added == 0 ? Usage.NONE : new Usage(requests, input, output,
                    cacheCreation, cacheRead, exactPicos, estimatedPicos, unpriced);
        }
    }

    /** Distinct values, sorted at the end; most rows have one or none. */
    private static final class Places {
        private String[] values;
        private int size;
        private List<String> given; // the list of the only value, as given: most rows have one

        void addAll(List<String> more) {
            if (size == 0 && more.size() == 1) {
                given = more;
            }
            for (int i = 0, n = more.size(); i < n; i++) {
                add(more.get(i));
            }
        }

        private void add(String value) {
            if (values == null) {
                values = new String[2];
            }
            for (int i = 0; i < size; i++) {
                if (values[i].equals(value)) {
                    return;
                }
            }
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, 2 * size);
            }
            values[size++] = value;
        }

        List<String> sorted() {
            if (size == 0) {
                return List.of();
            }
            if (size == 1) {
                return given != null ? given : List.of(values[0]);
            }
            String[] sorted = java.util.Arrays.copyOf(values, size);
            java.util.Arrays.sort(sorted);
            return List.of(sorted);
        }
    }
}
