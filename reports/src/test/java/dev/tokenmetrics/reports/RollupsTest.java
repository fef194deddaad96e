package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.query.Filters;
import dev.tokenmetrics.query.Grouping;
import dev.tokenmetrics.query.Period;
import dev.tokenmetrics.query.Query;
import dev.tokenmetrics.query.Reports;
import dev.tokenmetrics.query.UsageLedger;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports read from the rollups (schema 5) say exactly what the same reports read from every request say: the
 * same ledger, read once as it is and once as a schema 3 ledger (which has no rollups, so every report is read from
 * {@code requests}), gives the same output for every report, option and time zone.
 */
class RollupsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final String[] MODELS = {"claude-opus-4-1", "claude-haiku-4-5", "new-model"};

    @TempDir
    Path dir;
    private Path rollups;
    private Path requestsOnly;

    @BeforeEach
    void ledgers() throws Exception {
        var random = new Random(15);
        var ledger = new TestLedger();
        // two months across a DST change (America/New_York, 2 November) and a month's end, 12 sessions
        Instant start = Instant.parse("2026-10-20T00:00:00Z");
        for (int i = 0; i < 600; i++) {
            String session = "session-" + (i % 12);
            Instant time = start.plusSeconds(i * 7919L + random.nextInt(600));
            String model = MODELS[random.nextInt(3)];
            String cost = model.equals("new-model") ? null : "0.00" + random.nextInt(1_000_000);
            CostSource costSource = cost == null ? CostSource.UNPRICED
                    : random.nextBoolean() ? CostSource.EXACT : CostSource.TABLE;
            boolean transcript = random.nextBoolean();
            ledger.add(session, time.toString(), model, new Tokens(random.nextInt(5000), random.nextInt(3000),
                            random.nextInt(100_000), random.nextInt(20_000), 0, 0), cost, costSource,
                    i % 5 == 0 ? TestLedger.agent("agent:explore", "explore") : Call.NONE,
                    // a telemetry row has no place of its own: its session's transcript rows say where it was
                    transcript ? TestLedger.place(null, "/home/user/p" + (i % 12 % 3), "branch-" + (i % 2)) :
                            TestLedger.place(i % 3 == 0 ? "launcher-project" : null, null, null),
                    transcript ? Source.TRANSCRIPT : Source.TELEMETRY);
        }
        // texts the session rollup's packed rows must carry as they are: separators, digits, non-ASCII, empty
        for (int i = 0; i < 4; i++) {
            ledger.add("s;1,2\u00e9-" + (i % 2), start.plusSeconds(3600L * i).toString(), "model;9,9",
                    new Tokens(10 + i, 1, 0, 0, 0, 0), "0.01", CostSource.TABLE, Call.NONE,
                    TestLedger.place(null, "/home/user/caf\u00e9;4,2 \u2028", i == 0 ? "" : "feat/\u00fc,x;y"),
                    Source.TRANSCRIPT);
        }
        rollups = ledger.write(dir.resolve("usage.db"));
        requestsOnly = Files.copy(rollups, dir.resolve("usage-v3.db"));
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + requestsOnly)) {
            connection.createStatement().execute("PRAGMA user_version = 3");
        }
    }

    @Test
    void everyReportReadFromTheRollupsEqualsTheSameReportReadFromEveryRequest() {
        List<List<String>> commands = new ArrayList<>();
        for (String report : List.of("daily", "weekly", "monthly", "hourly", "model", "session")) {
            commands.add(List.of(report));
            commands.add(List.of(report, "--breakdown"));
            commands.add(List.of(report, "--model", "opus"));
            commands.add(List.of(report, "--since", "2026-11-01", "--until", "2026-11-15"));
            commands.add(List.of(report, "--since", "2026-11-01", "--compare"));
            commands.add(List.of(report, "--period", "30d"));
            commands.add(List.of(report, "--session", "session-1"));
            commands.add(List.of(report, "--project", "p1"));
            commands.add(List.of(report, "--branch", "branch-1"));
        }
        int compared = 0;
        for (String zone : List.of("UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")) {
            for (List<String> command : commands) {
                for (String format : List.of("--json", "--csv")) {
                    var args = new ArrayList<>(command);
                    args.addAll(List.of(format, "--timezone", zone));
                    String expected = run(requestsOnly, args);
                    assertEquals(expected, run(rollups, args), String.join(" ", args));
                    compared++;
                }
            }
        }
        assertEquals(6 * 9 * 4 * 2, compared);
    }

    @Test
    void aSchema5LedgerWithoutTheSessionsFirstAndLastTimesGivesTheSameSessionReports() throws Exception {
        // as the receiver leaves it until it migrates it: usage_sessions without first_time_ms and last_time_ms
        Path schema5 = Files.copy(rollups, dir.resolve("usage-v5.db"));
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + schema5);
             var statement = connection.createStatement()) {
            for (String trigger : List.of("insert", "delete", "update")) {
                statement.execute("DROP TRIGGER usage_sessions_" + trigger);
            }
            statement.execute("ALTER TABLE usage_sessions DROP COLUMN first_time_ms");
            statement.execute("ALTER TABLE usage_sessions DROP COLUMN last_time_ms");
            statement.execute("PRAGMA user_version = 5");
        }
        try (UsageLedger ledger = UsageLedger.open(schema5)) {
            assertEquals(UsageLedger.Source.SESSIONS, source(ledger, Grouping.SESSION, Period.ALL, Filters.NONE));
        }
        int compared = 0;
        for (String zone : List.of("UTC", "America/New_York")) {
            for (List<String> command : List.of(List.of("session"), List.of("session", "--breakdown"),
                    List.of("session", "--session", "session-1"))) {
                for (String format : List.of("--json", "--csv", "")) { // "": the table
                    var args = new ArrayList<>(command);
                    args.addAll(List.of("--timezone", zone));
                    if (!format.isEmpty()) {
                        args.add(format);
                    }
                    assertEquals(run(rollups, args), run(schema5, args), String.join(" ", args));
                    compared++;
                }
            }
        }
        assertEquals(2 * 3 * 3, compared);
    }

    @Test
    void theRollupsAnswerWholeHoursAndAllTimeSessionsAndEveryRequestTheRest() throws Exception {
        try (UsageLedger ledger = UsageLedger.open(rollups); UsageLedger old = UsageLedger.open(requestsOnly)) {
            assertEquals(UsageLedger.Source.HOURS, source(ledger, Grouping.DAILY, Period.ALL, Filters.NONE));
            assertEquals(UsageLedger.Source.HOURS, source(ledger, Grouping.MONTHLY, new Period(
                    Instant.parse("2026-11-01T05:00:00Z"), null), new Filters(null, null, "opus", null)));
            assertEquals(UsageLedger.Source.HOURS, source(ledger, Grouping.MODEL, Period.ALL, Filters.NONE));
            assertEquals(UsageLedger.Source.SESSIONS, source(ledger, Grouping.SESSION, Period.ALL,
                    new Filters(null, null, null, "session-1")));
            // not whole hours; a project, branch or session the rollups cannot tell; sessions within a period
            assertEquals(UsageLedger.Source.REQUESTS, source(ledger, Grouping.DAILY, new Period(
                    NOW.minusSeconds(86_400 * 30).plusMillis(1), null), Filters.NONE));
            assertEquals(UsageLedger.Source.REQUESTS, source(ledger, Grouping.DAILY, Period.ALL,
                    new Filters("p1", null, null, null)));
            assertEquals(UsageLedger.Source.REQUESTS, source(ledger, Grouping.DAILY, Period.ALL,
                    new Filters(null, null, null, "session-1")));
            assertEquals(UsageLedger.Source.REQUESTS, source(ledger, Grouping.SESSION, new Period(
                    Instant.parse("2026-11-01T00:00:00Z"), null), Filters.NONE));
            assertEquals(UsageLedger.Source.REQUESTS, source(ledger, Grouping.PROJECT, Period.ALL, Filters.NONE));
            assertEquals(UsageLedger.Source.REQUESTS, source(old, Grouping.DAILY, Period.ALL, Filters.NONE),
                    "a schema 3 ledger has no rollups");
        }
    }

    @Test
    void aSessionRollupRowThatIsNotIntegersIsALedgerErrorInOneLine() throws Exception {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + rollups);
             var statement = connection.createStatement()) {
            statement.execute("UPDATE usage_sessions SET input_tokens = 1.5 WHERE session_id = 'session-3'");
        }
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(List.of("session", "--json", "--db", rollups.toString()), Map.of(), NOW,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(3, status, "the ledger's status");
        assertEquals("claude-token-metrics: cannot read the ledger: usage_sessions has a row that is not integers and"
                + " texts\n", err.toString(StandardCharsets.UTF_8));
        assertEquals(0, out.size(), "nothing half written");
    }

    private static UsageLedger.Source source(UsageLedger ledger, Grouping grouping, Period period, Filters filters) {
        return Reports.source(ledger, new Query(grouping, period, filters, ZoneId.of("UTC"), DayOfWeek.MONDAY));
    }

    private static String run(Path database, List<String> args) {
        var arguments = new ArrayList<>(args);
        arguments.addAll(List.of("--db", database.toString()));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(arguments, Map.of(), NOW, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String error = err.toString(StandardCharsets.UTF_8);
        assertTrue(status == 0 && error.isEmpty(), args + ": " + status + " " + error);
        return out.toString(StandardCharsets.UTF_8);
    }
}
