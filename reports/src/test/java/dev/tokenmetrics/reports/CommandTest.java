package dev.tokenmetrics.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.query.Budget;
import dev.tokenmetrics.query.UsageLedger;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


/** The command as a user meets it: outputs, options, and one line and a documented exit status for bad input. */
class CommandTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path database;

    private record Run(int status, String out, String err) {
    }

    @BeforeEach
    void ledger() throws Exception {
        database = new TestLedger()
                .request("s1", "2026-11-30T10:00:00Z", "claude-opus-5-5", 100, 10, 5, 1000, "0.5", CostSource.EXACT)
                .request("s1", "2026-12-01T09:00:00Z", "claude-opus-5-5", 200, 20, 0, 2000, "0.25",
                        CostSource.LEARNED)
                .request("s2", "2026-12-01T10:30:00Z", "new-model", 7, 1, 0, 0, null, CostSource.UNPRICED)
                .write(dir.resolve("usage.db"));
    }

    private Run run(Map<String, String> environment, String... args) {
        var arguments = new ArrayList<>(List.of(args));
        if (!arguments.contains("--db")) {
            arguments.add("--db");
            arguments.add(database.toString());
        }
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(arguments, environment, NOW, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run run(String... args) {
        return run(Map.of("TZ", "UTC"), append(args, "--timezone", "UTC"));
    }

    private static String[] append(String[] args, String... more) {
        var all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static void assertOneLineError(Run run, int status, String says) {
        assertEquals(status, run.status(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("claude-token-metrics: "), run.err());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(run.err().contains(says), run.err());
    }

    @Test
    void dailyIsTheDefaultTableWithTheExactEstimatedAndUnpricedSplit() {
        Run run = run();
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("2026-11-30"), run.out());
        assertTrue(run.out().contains("2026-12-01"), run.out());
        assertTrue(run.out().contains("$0.25+"), "the unpriced request is marked, not $0: " + run.out());
        assertTrue(run.out().contains("Cost: $0.50 exact + $0.25 estimated; 1 of 3 requests unpriced (not counted: +)"),
                run.out());
        assertFalse(run.out().contains("\u001b["), "no colours when not a terminal");
    }

    @Test
    void theTableFitsTheWidthAndColoursOnlyATerminalWithoutNoColor() {
        Run wide = run(Map.of("COLUMNS", "200"), "--timezone", "UTC");
        assertTrue(wide.out().contains("Cache Create"), wide.out());
        Run narrow = run(Map.of("COLUMNS", "60"), "--timezone", "UTC");
        assertFalse(narrow.out().contains("Cache Create"), narrow.out());
        for (String line : narrow.out().split("\n")) {
            if (!line.startsWith("Claude Code usage") && !line.startsWith("Cost:")) {
                assertTrue(line.length() <= 60, "fits 60 columns: '" + line + "'");
            }
        }
        Run tty = run(Map.of("CLAUDE_TOKEN_METRICS_TTY", "1"), "--timezone", "UTC");
        assertTrue(tty.out().contains("\u001b["), tty.out());
        Run noColor = run(Map.of("CLAUDE_TOKEN_METRICS_TTY", "1", "NO_COLOR", "1"), "--timezone", "UTC");
        assertFalse(noColor.out().contains("\u001b["), noColor.out());
    }

    @Test
    void jsonHasCcusagesShapeAndOurFields() throws Exception {
        JsonNode daily = JSON.readTree(run("daily", "--json").out());
        JsonNode day = daily.path("daily").get(1);
        assertEquals("2026-12-01", day.path("date").asText());
        assertEquals(207, day.path("inputTokens").asLong());
        assertEquals(21, day.path("outputTokens").asLong());
        assertEquals(0, day.path("cacheCreationTokens").asLong());
        assertEquals(2000, day.path("cacheReadTokens").asLong());
        assertEquals(2228, day.path("totalTokens").asLong());
        assertEquals("0.25", day.path("totalCost").decimalValue().toPlainString());
        assertEquals(List.of("claude-opus-5-5", "new-model"),
                JSON.convertValue(day.path("modelsUsed"), List.class));
        JsonNode unpriced = day.path("modelBreakdowns").get(1);
        assertEquals("new-model", unpriced.path("modelName").asText());
        assertTrue(unpriced.path("cost").isNull(), "unknown, not 0");
        assertEquals(1, day.path("unpricedRequests").asLong());
        assertEquals("0.25", day.path("estimatedCost").decimalValue().toPlainString());
        assertEquals("0.75", daily.path("totals").path("totalCost").decimalValue().toPlainString());
        assertEquals("0.5", daily.path("totals").path("exactCost").decimalValue().toPlainString());

        JsonNode sessions = JSON.readTree(run("session", "--json").out());
        assertEquals("s2", sessions.path("sessions").get(1).path("sessionId").asText());
        assertEquals("2026-12-01", sessions.path("sessions").get(1).path("lastActivity").asText());
        assertTrue(sessions.path("sessions").get(1).path("totalCost").isNull(), "wholly unpriced session");

        assertEquals("2026-11-29", JSON.readTree(run("weekly", "--json").out()).path("weekly").get(0)
                .path("week").asText());
        assertEquals("2026-11", JSON.readTree(run("monthly", "--json").out()).path("monthly").get(0)
                .path("month").asText());
        JsonNode blocks = JSON.readTree(run("blocks", "--json").out()).path("blocks");
        assertEquals("2026-12-01T09:00:00.000Z", blocks.get(1).path("startTime").asText());
        assertTrue(blocks.get(1).path("isActive").asBoolean());
        assertEquals(120, blocks.get(1).path("projection").path("remainingMinutes").asLong());
        JsonNode projects = JSON.readTree(run("project", "--json").out());
        assertEquals("(unknown)", projects.path("projects").get(0).path("project").asText());
    }

    @Test
    void csvIsOneLinePerRowAndPerModelWithBreakdownAndGoesToAFile() throws Exception {
        Run run = run("daily", "--csv", "--breakdown");
        List<String> lines = run.out().lines().toList();
        assertEquals("date,model,requests,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,"
                + "total_tokens,cost_usd,exact_cost_usd,estimated_cost_usd,unpriced_requests,models", lines.get(0));
        assertEquals("2026-11-30,,1,100,10,5,1000,1115,0.5,0.5,0,0,claude-opus-5-5", lines.get(1));
        assertEquals("2026-12-01,new-model,1,7,1,0,0,8,,0,0,1,new-model", lines.get(5), "unpriced is empty");
        assertEquals(6, lines.size());

        Path file = dir.resolve("out.csv");
        Run toFile = run("model", "--csv", file.toString());
        assertEquals(0, toFile.status(), toFile.err());
        assertEquals("", toFile.out());
        assertTrue(Files.readString(file).startsWith("model,model,requests"));
    }

    @Test
    void htmlIsOneSelfContainedFile() throws Exception {
        Path file = dir.resolve("report.html");
        Run run = run("daily", "--html", file.toString());
        assertEquals(0, run.status(), run.err());
        String html = Files.readString(file);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        // the dashboard's page, its data embedded: the daily report as --json prints it
        assertTrue(html.contains("<script type=\"application/json\" id=\"embedded-data\">"), html);
        assertTrue(html.contains("\"report\": " + run("daily", "--json").out().strip()), "the report embedded");
        assertTrue(html.contains("uPlot"), "the charting library inline");
        String code = html.replace("https://github.com/leeoniya/uPlot", ""); // uPlot's licence banner
        assertFalse(code.contains("src=") || code.contains("<link rel=\"stylesheet\"") || code.contains("http://")
                || code.contains("https://"), "nothing to fetch: works offline");
    }

    @Test
    void periodsAndFiltersNarrowTheReport() throws Exception {
        JsonNode lastDay = JSON.readTree(run("--json", "--period", "24h").out());
        assertEquals(1, lastDay.path("daily").size());
        JsonNode since = JSON.readTree(run("--json", "--since", "20261201").out());
        assertEquals(1, since.path("daily").size());
        JsonNode until = JSON.readTree(run("--json", "--until", "2026-11-30").out());
        assertEquals(1, until.path("daily").size());
        assertEquals("2026-11-30", until.path("daily").get(0).path("date").asText());
        JsonNode session = JSON.readTree(run("--json", "--session", "s2").out());
        assertEquals(8, session.path("totals").path("totalTokens").asLong());
    }

    @Test
    void anEmptyPeriodIsAnEmptyReportNotAnError() throws Exception {
        Run table = run("--since", "2027-01-01");
        assertEquals(0, table.status());
        assertTrue(table.out().contains("No usage in this period."), table.out());
        JsonNode json = JSON.readTree(run("--since", "2027-01-01", "--json").out());
        assertEquals(0, json.path("daily").size());
        assertEquals(0, json.path("totals").path("totalTokens").asLong());
    }

    @Test
    void compareShowsThePreviousPeriodAndTheChange() throws Exception {
        Run run = run("--since", "2026-12-01", "--until", "2026-12-01", "--compare");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("Previous period: 1,115 tokens, $0.50; change: tokens +100%, cost -50%"),
                run.out());
        JsonNode json = JSON.readTree(run("--since", "2026-12-01", "--until", "2026-12-01", "--compare", "--json")
                .out());
        assertEquals(1115, json.path("previousPeriod").path("totals").path("totalTokens").asLong());
        assertEquals("2026-11-30T00:00:00.000Z", json.path("previousPeriod").path("since").asText());
    }

    @Test
    void aBudgetSaysHowMuchIsSpentAndItsExitStatusCrossesThe80And100PercentThresholds() {
        Run under = run("--budget", "10");
        assertEquals(0, under.status());
        assertTrue(under.out().contains("Budget $10.00: spent $0.75+ (7 %), within budget"), under.out());
        assertEquals(Budget.WARNING_EXIT, run("--budget", "0.90").status());
        Run over = run("--budget", "0.50");
        assertEquals(Budget.EXCEEDED_EXIT, over.status());
        assertTrue(over.out().contains("EXCEEDED"), over.out());
        Run json = run("--budget", "0.50", "--json");
        assertTrue(json.err().contains("EXCEEDED"), "beside JSON, the budget line goes to stderr: " + json.err());
        Run month = run("--since", "2026-12-01", "--budget", "1");
        // $0.25 in the 12 hours since 1 December 00:00 UTC, and 732 hours to go: $0.25 + 61 x $0.25
        assertTrue(month.out().contains("month-end forecast at this rate $15.50 (1 request unpriced"),
                month.out());
        Run november = run("--since", "2026-11-01", "--until", "2026-11-30", "--budget", "1");
        assertTrue(november.out().contains("month-end forecast at this rate $0.50"), "a past month is what it was: "
                + november.out());
    }

    @Test
    void badCommandLinesAreOneLineAndExitStatus2() {
        assertOneLineError(run("dayly"), Main.USAGE_EXIT, "unknown report 'dayly'");
        assertOneLineError(run("--frobnicate"), Main.USAGE_EXIT, "unknown option '--frobnicate'");
        assertOneLineError(run("--since", "2026-13-01"), Main.USAGE_EXIT, "--since: '2026-13-01' is not a date");
        assertOneLineError(run("--since", "yesterday"), Main.USAGE_EXIT, "is not a date");
        assertOneLineError(run("--since", "2026-12-02", "--until", "2026-12-01"), Main.USAGE_EXIT, "is after");
        assertOneLineError(run("--period", "2w"), Main.USAGE_EXIT, "--period: '2w' is not one of");
        assertOneLineError(run("--period", "7d", "--since", "20261201"), Main.USAGE_EXIT, "cannot be combined");
        assertOneLineError(run(Map.of(), "--timezone", "Mars/Olympus"), Main.USAGE_EXIT, "is not a time zone");
        assertOneLineError(run("--budget", "-3"), Main.USAGE_EXIT, "--budget");
        assertOneLineError(run("--compare"), Main.USAGE_EXIT, "--compare needs a period");
        assertOneLineError(run("daily", "session"), Main.USAGE_EXIT, "one report at a time");
        assertOneLineError(run(Map.of(), "--db"), Main.USAGE_EXIT, "--db needs a value");
    }

    @Test
    void helpIsExitStatus0() {
        Run run = run("--help");
        assertEquals(0, run.status());
        assertTrue(run.out().startsWith("Usage: claude-token-metrics"));
    }

    @Test
    void aMissingCorruptOrNewerLedgerIsOneLineAndExitStatus3AndNothingIsCreated() throws Exception {
        Path missing = dir.resolve("nothing/usage.db");
        assertOneLineError(run(Map.of(), "--db", missing.toString()), Main.LEDGER_EXIT, "no usage ledger at");
        assertFalse(Files.exists(missing.getParent()), "a reader never creates the ledger");

        Path garbage = Files.write(dir.resolve("garbage.db"), "this is not SQLite, just text\n".repeat(200)
                .getBytes(StandardCharsets.UTF_8));
        assertOneLineError(run(Map.of(), "--db", garbage.toString()), Main.LEDGER_EXIT, "cannot read the ledger");

        Path other = dir.resolve("other.db");
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + other)) {
            connection.createStatement().execute("CREATE TABLE t (x)");
        }
        assertOneLineError(run(Map.of(), "--db", other.toString()), Main.LEDGER_EXIT, "is not a usage ledger");

        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
            connection.createStatement().execute("PRAGMA user_version = " + (UsageLedger.NEWEST + 1));
        }
        assertOneLineError(run(), Main.LEDGER_EXIT, "schema version " + (UsageLedger.NEWEST + 1)
                + ", newer than this program reads (" + UsageLedger.NEWEST + ")");
    }

    @Test
    void aReportReadsWhileTheReceiverWritesAndSeesOnlyWhatIsCommitted() throws Exception {
        try (var writer = DriverManager.getConnection("jdbc:sqlite:" + database);
             var statement = writer.createStatement()) {
            writer.setAutoCommit(false); // the receiver's ledger is in WAL mode: Ledger.open set it
            statement.execute("INSERT INTO requests (key, source, session_id, time_ms, model,"
                    + " input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,"
                    + " cache_creation_5m_tokens, cache_creation_1h_tokens, cost_source)"
                    + " VALUES ('req:open', 'telemetry', 's3', 1764583200000, 'm', 1000000, 0, 0, 0, 0, 0, 'unpriced')");
            Run during = run("--json"); // the writer holds its transaction open: the reader neither waits nor sees it
            assertEquals(0, during.status(), during.err());
            assertEquals(3343, JSON.readTree(during.out()).path("totals").path("totalTokens").asLong());
            writer.commit();
        }
        assertEquals(1003343, JSON.readTree(run("--json").out()).path("totals").path("totalTokens").asLong());
    }

    @Test
    void aLedgerAtSchemaVersion2IsRead() throws Exception {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
            connection.createStatement().execute("PRAGMA user_version = 2");
        }
        Run run = run("--json");
        assertEquals(0, run.status(), run.err());
        assertEquals(3343, JSON.readTree(run.out()).path("totals").path("totalTokens").asLong());
    }
}
