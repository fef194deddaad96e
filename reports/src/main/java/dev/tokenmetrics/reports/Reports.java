package dev.tokenmetrics.reports;

import java.time.Instant;
import java.time.LocalDateTime;
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
 * each report groups rows; renderers (table, JSON, CSV, HTML) and a dashboard only present its answer.
 */
public final class Reports {

    private static final long QUARTER_HOUR_MS = 15 * 60 * 1000L;

    private Reports() {
    }

    public static Report run(UsageLedger ledger, Query query) throws LedgerException {
        if (query.grouping() == Grouping.BLOCKS) {
            throw new IllegalArgumentException("blocks are answered by Blocks.run");
        }
        var rows = new HashMap<String, RowBuilder>();
        Function<String, String> key = keyOf(query);
        ledger.groups(dimension(query.grouping()), query.period(), query.filters(),
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

    private static String dimension(Grouping grouping) {
        return switch (grouping) {
            case DAILY, WEEKLY, MONTHLY, HOURLY -> "time_ms / " + QUARTER_HOUR_MS;
            case SESSION -> "session_id";
            case PROJECT -> "coalesce(" + UsageLedger.PROJECT + ", '(unknown)')";
            case BRANCH -> "coalesce(" + UsageLedger.BRANCH + ", '(none)')";
            case MODEL -> "model";
            case AGENT -> "coalesce(agent_name, query_source, '(unknown)')";
            case BLOCKS -> throw new IllegalArgumentException("blocks");
        };
    }

    /** The row key of a group: time reports map the quarter-hour to a local day, week, month or hour. */
    private static Function<String, String> keyOf(Query query) {
        if (!query.grouping().byTime()) {
            return Function.identity();
        }
        var cache = new HashMap<String, String>();
        return bucket -> cache.computeIfAbsent(bucket, b -> {
            LocalDateTime local = LocalDateTime.ofInstant(
                    Instant.ofEpochMilli(Long.parseLong(b) * QUARTER_HOUR_MS), query.zone());
            return switch (query.grouping()) {
                case DAILY -> local.toLocalDate().toString();
                case WEEKLY -> local.toLocalDate().with(TemporalAdjusters.previousOrSame(query.startOfWeek()))
                        .toString();
                case MONTHLY -> YearMonth.from(local).toString();
                case HOURLY -> (local.getHour() < 10 ? "0" : "") + local.getHour() + ":00";
                default -> throw new IllegalStateException();
            };
        });
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
