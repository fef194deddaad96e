package dev.tokenmetrics.reports;

import dev.tokenmetrics.query.Block;
import dev.tokenmetrics.query.Blocks;
import dev.tokenmetrics.query.Filters;
import dev.tokenmetrics.query.Grouping;
import dev.tokenmetrics.query.LedgerException;
import dev.tokenmetrics.query.Money;
import dev.tokenmetrics.query.Period;
import dev.tokenmetrics.query.Query;
import dev.tokenmetrics.query.Report;
import dev.tokenmetrics.query.Reports;
import dev.tokenmetrics.query.Row;
import dev.tokenmetrics.query.Usage;
import dev.tokenmetrics.query.UsageLedger;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static dev.tokenmetrics.reports.TestLedger.agent;
import static dev.tokenmetrics.reports.TestLedger.place;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


/** The query layer: what each report counts, from a ledger the receiver's own code wrote. */
class ReportsTest {

    private static final String OPUS = "claude-opus-5-5";
    private static final String HAIKU = "claude-haiku-5";

    @TempDir
    Path dir;

    private Report run(TestLedger ledger, Grouping grouping, Period period, Filters filters, ZoneId zone)
            throws Exception {
        Path database = ledger.write(dir.resolve("usage-" + System.nanoTime() + ".db"));
        try (UsageLedger usage = UsageLedger.open(database)) {
            return Reports.run(usage, new Query(grouping, period, filters, zone, DayOfWeek.SUNDAY));
        }
    }

    private Report run(TestLedger ledger, Grouping grouping) throws Exception {
        return run(ledger, grouping, Period.ALL, Filters.NONE, ZoneOffset.UTC);
    }

    private static Map<String, Long> tokensByKey(Report report) {
        return report.rows().stream().collect(Collectors.toMap(Row::key, row -> row.usage().totalTokens()));
    }

    @Test
    void dailySumsEveryTokenTypeAndCostPerLocalDayAndModel() throws Exception {
        var ledger = new TestLedger()
                .request("s1", "2026-11-30T23:30:00Z", OPUS, 100, 10, 5, 1000, "0.10", CostSource.EXACT)
                .request("s1", "2026-12-01T00:30:00Z", OPUS, 200, 20, 0, 2000, "0.20", CostSource.EXACT)
                .request("s2", "2026-12-01T10:00:00Z", HAIKU, 1, 2, 3, 4, "0.000001", CostSource.EXACT);

        Report utc = run(ledger, Grouping.DAILY);
        assertEquals(List.of("2026-11-30", "2026-12-01"), utc.rows().stream().map(Row::key).toList());
        Row first = utc.rows().get(0);
        assertEquals(new Usage(1, 100, 10, 5, 1000, 100_000_000_000L, 0, 0), first.usage());
        Row second = utc.rows().get(1);
        assertEquals(List.of(HAIKU, OPUS), second.modelNames());
        assertEquals(new BigDecimal("0.200001"), second.usage().cost(), "summed exactly, to the last digit");
        assertEquals(2220 + 10, second.usage().totalTokens());
        assertEquals(3, utc.totals().requests());

        // the same requests a day apart in Tokyo (UTC+9): 23:30Z is already 1 December there
        Report tokyo = run(ledger, Grouping.DAILY, Period.ALL, Filters.NONE, ZoneId.of("Asia/Tokyo"));
        assertEquals(Map.of("2026-12-01", 1115L + 2220L + 10L), tokensByKey(tokyo));
        // and in India (UTC+5:30) the half-hour offset splits the day between the two UTC quarter-hours
        Report india = run(ledger, Grouping.DAILY, Period.ALL, Filters.NONE, ZoneId.of("Asia/Kolkata"));
        assertEquals(Map.of("2026-12-01", 1115L + 2220L + 10L), tokensByKey(india));
        Report hawaii = run(ledger, Grouping.DAILY, Period.ALL, Filters.NONE, ZoneId.of("Pacific/Honolulu"));
        assertEquals(Map.of("2026-11-30", 1115L + 2220L, "2026-12-01", 10L), tokensByKey(hawaii),
                "10:00Z is midnight in Honolulu (UTC-10)");
    }

    @Test
    void costIsSplitIntoExactEstimatedAndUnpricedNeverCountingUnpricedAsZero() throws Exception {
        var ledger = new TestLedger()
                .request("s1", "2026-12-01T08:00:00Z", OPUS, 10, 1, 0, 0, "1.5", CostSource.EXACT)
                .request("s1", "2026-12-01T08:01:00Z", OPUS, 10, 1, 0, 0, "0.25", CostSource.LEARNED)
                .request("s1", "2026-12-01T08:02:00Z", OPUS, 10, 1, 0, 0, "0.125", CostSource.TABLE)
                .request("s1", "2026-12-01T08:03:00Z", "some-new-model", 10, 1, 0, 0, null, CostSource.UNPRICED)
                .request("s2", "2026-12-02T08:03:00Z", "some-new-model", 7, 1, 0, 0, null, CostSource.UNPRICED);

        Report report = run(ledger, Grouping.DAILY);
        Usage day = report.rows().get(0).usage();
        assertEquals(new BigDecimal("1.5"), day.exactCost());
        assertEquals(new BigDecimal("0.375"), day.estimatedCost());
        assertEquals(1, day.unpriced());
        assertEquals("$1.88+", Money.cost(day), "the + says some requests have no price");
        assertEquals("80%", Money.exactShare(day));
        Usage unpricedDay = report.rows().get(1).usage();
        assertTrue(unpricedDay.whollyUnpriced());
        assertEquals("unpriced", Money.cost(unpricedDay), "never $0");
        assertEquals(2, report.totals().unpriced());
        assertEquals(new Usage(1, 10, 1, 0, 0, 0, 0, 1), report.rows().get(0).models().get("some-new-model"));
    }

    @Test
    void weeksStartOnTheChosenDayAndMonthsAreCalendarMonths() throws Exception {
        var ledger = new TestLedger()
                .request("s1", "2026-11-28T12:00:00Z", OPUS, 1, 0, 0, 0, "0.01", CostSource.EXACT) // Saturday
                .request("s1", "2026-11-29T12:00:00Z", OPUS, 2, 0, 0, 0, "0.01", CostSource.EXACT) // Sunday
                .request("s1", "2026-11-30T12:00:00Z", OPUS, 4, 0, 0, 0, "0.01", CostSource.EXACT) // Monday
                .request("s1", "2026-12-01T12:00:00Z", OPUS, 8, 0, 0, 0, "0.01", CostSource.EXACT);
        Path database = ledger.write(dir.resolve("usage.db"));
        try (UsageLedger usage = UsageLedger.open(database)) {
            Report sunday = Reports.run(usage, new Query(Grouping.WEEKLY, Period.ALL, Filters.NONE, ZoneOffset.UTC,
                    DayOfWeek.SUNDAY));
            assertEquals(Map.of("2026-11-22", 1L, "2026-11-29", 14L), tokensByKey(sunday));
            Report monday = Reports.run(usage, new Query(Grouping.WEEKLY, Period.ALL, Filters.NONE, ZoneOffset.UTC,
                    DayOfWeek.MONDAY));
            assertEquals(Map.of("2026-11-23", 3L, "2026-11-30", 12L), tokensByKey(monday));
            Report months = Reports.run(usage, new Query(Grouping.MONTHLY, Period.ALL, Filters.NONE,
                    ZoneOffset.UTC, DayOfWeek.SUNDAY));
            assertEquals(Map.of("2026-11", 7L, "2026-12", 8L), tokensByKey(months));
            Report hours = Reports.run(usage, new Query(Grouping.HOURLY, Period.ALL, Filters.NONE,
                    ZoneId.of("Europe/Paris"), DayOfWeek.SUNDAY));
            assertEquals(Map.of("13:00", 15L), tokensByKey(hours), "hour of day, local");
        }
    }

    @Test
    void sessionsProjectsAndBranchesComeFromTheTranscriptsPlaceOrTheSessionsOtherRows() throws Exception {
        var tokens = new Tokens(10, 1, 0, 0, 0, 0);
        var ledger = new TestLedger()
                // telemetry alone knows nothing of the place; the same session's transcript row does
                .add("s1", "2026-12-01T08:00:00Z", OPUS, tokens, "0.5", CostSource.EXACT, agent("sdk", null),
                        place(null, null, null), Source.TELEMETRY)
                .add("s1", "2026-12-01T08:05:00Z", OPUS, tokens, null, CostSource.UNPRICED, agent(null, null),
                        place(null, "/home/u/alpha", "main"), Source.TRANSCRIPT)
                .add("s2", "2026-12-01T09:00:00Z", HAIKU, tokens, "0.25", CostSource.EXACT,
                        agent("agent:custom", "reviewer"), place(null, "/home/u/beta", "feature/x"),
                        Source.TELEMETRY)
                .add("s2", "2026-12-01T09:10:00Z", HAIKU, tokens, "0.3", CostSource.EXACT,
                        agent("repl_main_thread", null), place(null, "/home/u/beta", "feature/y"),
                        Source.TELEMETRY)
                .add("s3", "2026-12-01T10:00:00Z", HAIKU, tokens, "0.125", CostSource.EXACT, agent("sdk", null),
                        place("launcher-project", "/home/u/gamma", null), Source.TELEMETRY);

        Report sessions = run(ledger, Grouping.SESSION);
        assertEquals(List.of("s1", "s2", "s3"), sessions.rows().stream().map(Row::key).toList(),
                "by last activity");
        Row s2 = sessions.rows().get(1);
        assertEquals(List.of("feature/x", "feature/y"), s2.branches());
        assertEquals(List.of("/home/u/beta"), s2.projects());
        assertEquals(Instant.parse("2026-12-01T09:10:00Z"), s2.last());

        Report projects = run(ledger, Grouping.PROJECT);
        assertEquals(Map.of("/home/u/alpha", 22L, "/home/u/beta", 22L, "launcher-project", 11L),
                tokensByKey(projects));
        assertEquals("/home/u/beta", projects.rows().get(0).key(), "most expensive first");

        Report branches = run(ledger, Grouping.BRANCH);
        assertEquals(Map.of("main", 22L, "feature/x", 11L, "feature/y", 11L, "(none)", 11L),
                tokensByKey(branches));

        Report agents = run(ledger, Grouping.AGENT);
        assertEquals(Map.of("sdk", 22L, "reviewer", 11L, "repl_main_thread", 11L, "(unknown)", 11L),
                tokensByKey(agents));

        Report models = run(ledger, Grouping.MODEL);
        assertEquals(Map.of(OPUS, 22L, HAIKU, 33L), tokensByKey(models));
    }

    @Test
    void filtersAndPeriodsSelectRows() throws Exception {
        var tokens = new Tokens(10, 0, 0, 0, 0, 0);
        var ledger = new TestLedger()
                .add("aaaa-1", "2026-11-01T08:00:00Z", OPUS, tokens, "1", CostSource.EXACT, agent(null, null),
                        place(null, "/home/u/alpha", "main"), Source.TRANSCRIPT)
                .add("bbbb-2", "2026-12-01T08:00:00Z", HAIKU, tokens, "1", CostSource.EXACT, agent(null, null),
                        place(null, "/home/u/beta_1", "dev"), Source.TRANSCRIPT)
                .add("bbbb-2", "2026-12-01T09:00:00Z", HAIKU, tokens, "1", CostSource.EXACT, agent(null, null),
                        place(null, null, null), Source.TELEMETRY);
        Path database = ledger.write(dir.resolve("usage.db"));
        try (UsageLedger usage = UsageLedger.open(database)) {
            java.util.function.Function<Filters, Long> tokensOf = filters -> {
                try {
                    return Reports.run(usage, new Query(Grouping.MODEL, Period.ALL, filters, ZoneOffset.UTC,
                            DayOfWeek.SUNDAY)).totals().totalTokens();
                } catch (LedgerException e) {
                    throw new AssertionError(e);
                }
            };
            assertEquals(10L, tokensOf.apply(new Filters("alpha", null, null, null)), "by the last path segment");
            assertEquals(10L, tokensOf.apply(new Filters("/home/u/alpha", null, null, null)), "by the path");
            assertEquals(0L, tokensOf.apply(new Filters("alph", null, null, null)), "not by a part of a name");
            assertEquals(20L, tokensOf.apply(new Filters("beta_1", null, null, null)),
                    "the telemetry row belongs to its session's project");
            assertEquals(0L, tokensOf.apply(new Filters("beta%1", null, null, null)), "LIKE wildcards are literal");
            assertEquals(20L, tokensOf.apply(new Filters(null, "dev", null, null)));
            assertEquals(20L, tokensOf.apply(new Filters(null, null, "haiku", null)));
            assertEquals(20L, tokensOf.apply(new Filters(null, null, null, "bbbb")), "a session by its prefix");

            Report december = Reports.run(usage, new Query(Grouping.DAILY, new Period(
                    Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-01T09:00:00Z")), Filters.NONE,
                    ZoneOffset.UTC, DayOfWeek.SUNDAY));
            assertEquals(10L, december.totals().totalTokens(), "from inclusive, until exclusive");

            Report empty = Reports.run(usage, new Query(Grouping.DAILY, new Period(
                    Instant.parse("2027-01-01T00:00:00Z"), null), Filters.NONE, ZoneOffset.UTC, DayOfWeek.SUNDAY));
            assertTrue(empty.rows().isEmpty());
            assertEquals(Usage.NONE, empty.totals());
        }
    }

    @Test
    void blocksAreFiveHourWindowsFromTheHourOfTheirFirstRequestAsCcusageCountsThem() throws Exception {
        var ledger = new TestLedger()
                .request("s1", "2026-12-01T08:11:00Z", OPUS, 100, 0, 0, 0, "1", CostSource.EXACT)
                .request("s1", "2026-12-01T12:59:00Z", OPUS, 100, 0, 0, 0, "1", CostSource.EXACT)
                .request("s1", "2026-12-01T13:01:00Z", OPUS, 100, 0, 0, 0, "1", CostSource.EXACT) // past 5 h
                .request("s1", "2026-12-01T20:00:00Z", HAIKU, 50, 0, 0, 0, "1", CostSource.EXACT) // after a gap
                .request("s1", "2026-12-01T20:30:00Z", HAIKU, 50, 0, 0, 0, "1", CostSource.EXACT);
        Path database = ledger.write(dir.resolve("usage.db"));
        Instant now = Instant.parse("2026-12-01T21:00:00Z");
        try (UsageLedger usage = UsageLedger.open(database)) {
            Blocks.Answer answer = Blocks.run(usage, new Query(Grouping.BLOCKS, Period.ALL, Filters.NONE,
                    ZoneOffset.UTC, DayOfWeek.SUNDAY), now);
            assertEquals(List.of("2026-12-01T08:00:00.000Z", "2026-12-01T13:00:00.000Z",
                    "2026-12-01T20:00:00.000Z"), answer.blocks().stream().map(b -> b.row().key()).toList());
            assertEquals(List.of(200L, 100L, 100L),
                    answer.blocks().stream().map(b -> b.row().usage().totalTokens()).toList());
            assertFalse(answer.blocks().get(0).active());
            Block active = answer.active();
            assertEquals(answer.blocks().get(2), active);
            assertEquals(240, active.remainingMinutes(now), "20:00 + 5 h = 01:00, 4 h from now");
            assertEquals(100.0 / 30, active.tokensPerMinute(), 1e-9);
            assertEquals(100 + Math.round(100.0 / 30 * 240), active.projectedTokens(now));
        }
    }
}
