package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.query.command.CommandApi;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/REPORTS.md, "Answered by the receiver": the receiver's {@code /api/v1/cli} answers every command line exactly
 * as the command's own JVM does (standard output and error byte for byte, and the exit status), for the caller's
 * terminal and time zone; and it refuses, having done nothing, what only the command itself may do.
 */
class AnsweredByTheReceiverTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Path HOME = Path.of(System.getProperty("user.home"));

    @TempDir
    Path dir;
    private Path database;

    /** stdout, stderr, exit status. */
    private record Printed(byte[] out, byte[] err, int status) {
        String text() {
            return new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void ledger() throws Exception {
        var ledger = new TestLedger()
                .request("s1-aaaa", "2026-11-28T08:00:00Z", "claude-opus-5-5", 100, 10, 5, 1000, "0.5",
                        CostSource.EXACT)
                .request("s1-aaaa", "2026-11-29T23:30:00Z", "claude-sonnet-5", 300, 30, 0, 0, "0.125",
                        CostSource.LEARNED)
                .request("s2-bbbb", "2026-11-30T10:00:00Z", "new-model", 7, 1, 0, 0, null, CostSource.UNPRICED)
                .request("s3-cccc", "2026-12-01T09:00:00Z", "claude-haiku-5", 200, 20, 0, 2000, "0.25",
                        CostSource.TABLE)
                .request("s3-cccc", "2026-12-01T11:30:00Z", "claude-opus-5-5", 2000, 200, 50, 9000, "1.75",
                        CostSource.EXACT);
        ledger.add("s4-dddd", "2026-11-30T15:45:00Z", "claude-opus-5-5", new Tokens(50, 5, 0, 0, 0, 0), "0.05",
                CostSource.EXACT, TestLedger.agent("agent:custom", "reviewer"),
                TestLedger.place("alpha", "/home/u/alpha", "feature/x"), Source.TELEMETRY);
        ledger.add("s4-dddd", "2026-12-01T10:15:00Z", "claude-sonnet-5", new Tokens(60, 6, 0, 0, 0, 0), null,
                null, TestLedger.agent("repl_main_thread", null), TestLedger.place(null, "/home/u/beta", "main"),
                Source.TRANSCRIPT);
        database = ledger.write(dir.resolve("usage.db"));
    }

    /** The command's own JVM: {@code Main} with this environment. */
    private Printed command(Map<String, String> environment, List<String> args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(args, environment, NOW, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Printed(out.toByteArray(), err.toByteArray(), status);
    }

    private CommandApi.Answer ask(CommandApi.Host host, Map<String, String> caller, List<String> args) {
        Map<String, List<String>> parameters = new HashMap<>();
        parameters.put("arg", args);
        caller.forEach((name, value) -> parameters.put(name, List.of(value)));
        return new CommandApi(database, Clock.fixed(NOW, ZoneOffset.UTC), host).answer(parameters);
    }

    /** The receiver's answer, unpacked as the launcher unpacks it. */
    private static Printed printed(CommandApi.Answer answer) {
        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        int outLength = Integer.parseInt(answer.headers().get(CommandApi.STDOUT_LENGTH));
        int errLength = Integer.parseInt(answer.headers().get(CommandApi.STDERR_LENGTH));
        assertEquals(answer.body().length, outLength + errLength);
        return new Printed(Arrays.copyOf(answer.body(), outLength),
                Arrays.copyOfRange(answer.body(), outLength, answer.body().length),
                Integer.parseInt(answer.headers().get(CommandApi.EXIT_STATUS)));
    }

    private static final CommandApi.Host HERE = new CommandApi.Host(HOME, System.getenv("TZ"));

    private static final List<List<String>> ARGUMENT_SETS = Stream.of(
            "", "daily", "weekly", "monthly", "session", "blocks", "project", "branch", "model", "agent", "hourly",
            "daily --json", "weekly --json --start-of-week monday", "monthly --json", "session --json",
            "blocks --json", "project --json", "branch --json", "model --json", "agent --json", "hourly --json",
            "daily --csv", "session --csv -", "blocks --csv", "model --csv --breakdown", "daily --csv=-",
            "daily --breakdown", "session --breakdown", "blocks --breakdown", "project -b",
            "daily --timezone Asia/Kolkata", "hourly --timezone America/New_York --json", "-z Europe/Paris weekly",
            "daily --since 2026-11-29", "daily --since 20261129 --until 20261130", "-s 2026-11-30 -u 2026-11-30",
            "daily --period 24h", "session --period 7d --json", "blocks --period 6h", "daily --period all",
            "daily --project alpha", "session --branch main", "model --model opus", "daily --session s3",
            "--project=/home/u/beta --json", "agent --model sonnet --csv",
            "daily --since 2026-11-30 --compare", "monthly --period 30d --compare --json",
            "daily --since 2026-11-30 --until 2026-11-30 --compare --csv",
            "daily --budget 100", "daily --budget 3.00", "daily --budget 2.5 --json", "monthly --budget $1 --csv",
            "--since 2026-12-01 --budget 0.5", "blocks --budget 1000 --json",
            "--help", "-h", "daily --json --help",
            "dayly", "--frobnicate", "--since 2026-13-01", "--since yesterday", "--since 2026-12-02 --until 2026-12-01",
            "--period 2w", "--period 7d --since 20261201", "--timezone Mars/Olympus", "--budget -3", "--budget",
            "--compare", "daily session", "blocks --compare --period 7d", "--start-of-week someday", "--project")
            .map(line -> line.isEmpty() ? List.<String>of() : List.of(line.split(" ")))
            .toList();

    private static List<String> withDatabase(List<String> args, Path database) {
        var all = new ArrayList<>(args);
        all.add("--db");
        all.add(database.toString());
        return all;
    }

    @Test
    void everyReportFormatFilterBudgetAndErrorIsTheCommandsOwnOutputByteForByte() {
        for (List<String> args : ARGUMENT_SETS) {
            List<String> line = withDatabase(args, database);
            Printed itself = command(Map.of(), line);
            Printed answered = printed(ask(HERE, Map.of("home", HOME.toString()), line));
            assertEquals(itself.text(), answered.text(), "same output for " + args);
            assertArrayEquals(itself.out(), answered.out(), "stdout byte for byte for " + args);
            assertArrayEquals(itself.err(), answered.err(), "stderr byte for byte for " + args);
            assertEquals(itself.status(), answered.status(), "exit status for " + args);
        }
    }

    /**
     * The answer with {@code stderr=header}, unpacked as the launcher unpacks it: the body is stdout; stderr is
     * {@code X-Stderr}, percent-decoded.
     */
    private static Printed printedWithStderrInAHeader(CommandApi.Answer answer) {
        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        assertEquals(answer.body().length, Integer.parseInt(answer.headers().get(CommandApi.STDOUT_LENGTH)));
        String encoded = answer.headers().get(CommandApi.STDERR);
        assertTrue(encoded.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '\\'),
                "printable ASCII without spaces nor backslashes: " + encoded);
        var err = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            if (encoded.charAt(i) == '%') {
                err.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                err.write(encoded.charAt(i));
            }
        }
        assertEquals(err.size(), Integer.parseInt(answer.headers().get(CommandApi.STDERR_LENGTH)));
        return new Printed(answer.body(), err.toByteArray(),
                Integer.parseInt(answer.headers().get(CommandApi.EXIT_STATUS)));
    }

    @Test
    void standardErrorInAHeaderLeavesTheBodyToStandardOutputAlone() {
        var lines = new ArrayList<>(ARGUMENT_SETS);
        lines.add(List.of("--since", "café\\%41 \t\u2028")); // an error echoing what the header encodes
        for (List<String> args : lines) {
            List<String> line = withDatabase(args, database);
            Printed itself = command(Map.of(), line);
            Printed answered = printedWithStderrInAHeader(ask(HERE, Map.of("home", HOME.toString(), "stderr",
                    "header"), line));
            assertArrayEquals(itself.out(), answered.out(), "stdout byte for byte for " + args);
            assertArrayEquals(itself.err(), answered.err(), "stderr byte for byte for " + args);
            assertEquals(itself.status(), answered.status(), "exit status for " + args);
        }
        List<String> longError = withDatabase(List.of("--timezone", "x".repeat(CommandApi.MAX_STDERR_HEADER)),
                database);
        assertTrue(command(Map.of(), longError).err().length > CommandApi.MAX_STDERR_HEADER, "a long error");
        CommandApi.Answer refused = ask(HERE, Map.of("home", HOME.toString(), "stderr", "header"), longError);
        assertEquals(409, refused.status(), "longer than a header takes: the command runs itself");
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("run the command itself"));
        assertEquals(200, ask(HERE, Map.of("home", HOME.toString()), longError).status(), "in the body, answered");
    }

    @Test
    void theStatusesCoverEveryOutcome() {
        var statuses = new TreeSet<Integer>();
        for (List<String> args : ARGUMENT_SETS) {
            statuses.add(printed(ask(HERE, Map.of("home", HOME.toString()), withDatabase(args, database))).status());
        }
        assertEquals(List.of(0, 2, 4, 5), List.copyOf(statuses), "done, command line, budget 80 % and 100 %");
        Path absent = dir.resolve("absent.db");
        List<String> line = withDatabase(List.of("daily"), absent);
        Printed itself = command(Map.of(), line);
        Printed answered = printed(new CommandApi(absent, Clock.fixed(NOW, ZoneOffset.UTC), HERE)
                .answer(Map.of("home", List.of(HOME.toString()), "arg", line)));
        assertEquals(3, itself.status(), itself.text());
        assertEquals(itself.status(), answered.status(), "a ledger not there yet: status 3");
        assertEquals(itself.text(), answered.text(), "and the same one line");
    }

    @Test
    void theCallersTerminalWidthAndColoursAreHonoured() {
        List<Map<String, String>> terminals = List.of(Map.of(), Map.of("COLUMNS", "60"), Map.of("COLUMNS", "200"),
                Map.of("COLUMNS", "not a number"), Map.of("COLUMNS", ""),
                Map.of("CLAUDE_TOKEN_METRICS_TTY", "1", "COLUMNS", "100"),
                Map.of("CLAUDE_TOKEN_METRICS_TTY", "1", "NO_COLOR", "1"),
                Map.of("CLAUDE_TOKEN_METRICS_TTY", "1", "NO_COLOR", ""));
        for (Map<String, String> environment : terminals) {
            for (String report : List.of("daily", "session", "blocks --breakdown", "model --compare --period 7d")) {
                List<String> line = withDatabase(List.of(report.split(" ")), database);
                Map<String, String> caller = new HashMap<>(Map.of("home", HOME.toString()));
                if (environment.containsKey("COLUMNS")) {
                    caller.put("columns", environment.get("COLUMNS"));
                }
                if (environment.containsKey("CLAUDE_TOKEN_METRICS_TTY")) {
                    caller.put("tty", environment.get("CLAUDE_TOKEN_METRICS_TTY"));
                }
                if (environment.containsKey("NO_COLOR")) {
                    caller.put("no-color", environment.get("NO_COLOR"));
                }
                Printed itself = command(environment, line);
                Printed answered = printed(ask(HERE, caller, line));
                assertEquals(itself.text(), answered.text(), report + " for " + environment);
                assertArrayEquals(itself.out(), answered.out(), report + " for " + environment);
            }
        }
        String coloured = command(Map.of("CLAUDE_TOKEN_METRICS_TTY", "1"), withDatabase(List.of(), database))
                .text();
        assertTrue(coloured.contains("\u001b["), "the cases above include colours: " + coloured);
    }

    @Test
    void theCallersTimeZoneIsTheDefaultWhereItDiffersFromTheReceivers() {
        var receiverInUtc = new CommandApi.Host(HOME, "UTC");
        for (String zone : List.of("Asia/Kolkata", "America/New_York", "Europe/Paris", ":Australia/Lord_Howe")) {
            for (String report : List.of("daily", "hourly --json", "weekly --csv", "blocks")) {
                List<String> line = withDatabase(List.of(report.split(" ")), database);
                List<String> zoned = new ArrayList<>(line);
                zoned.addAll(List.of("--timezone", zone.replace(":", "")));
                Printed itself = command(Map.of(), zoned);
                Printed answered = printed(ask(receiverInUtc, Map.of("home", HOME.toString(), "tz", zone), line));
                assertEquals(itself.text(), answered.text(), report + " in " + zone);
            }
        }
    }

    @Test
    void whatOnlyTheCommandItselfMayDoIsRefusedWithNothingDone() throws Exception {
        Path csv = dir.resolve("out.csv");
        Path html = dir.resolve("out.html");
        Map<String, String> caller = Map.of("home", HOME.toString());
        assertEquals(409, ask(HERE, caller, withDatabase(List.of("daily", "--csv", csv.toString()), database))
                .status(), "a file is written by the command, never by the receiver");
        assertEquals(409, ask(HERE, caller, withDatabase(List.of("--html", html.toString()), database)).status());
        assertFalse(Files.exists(csv) || Files.exists(html));
        Path other = new TestLedger().write(dir.resolve("other.db"));
        assertEquals(409, ask(HERE, caller, withDatabase(List.of("daily"), other)).status(),
                "the receiver reads its own ledger only");
        assertEquals(409, ask(HERE, caller, List.of("daily")).status(),
                "the default ledger under this home is not the receiver's");
        assertEquals(409, ask(HERE, Map.of("home", "/somebody/else"), withDatabase(List.of("daily"), database))
                .status(), "another home's command");
        assertEquals(409, ask(new CommandApi.Host(HOME, "Europe/Paris"), caller,
                withDatabase(List.of("daily"), database)).status(),
                "the caller's zone is the system's, the receiver's is not: it cannot tell the caller's");
        assertEquals(409, ask(HERE, Map.of("home", HOME.toString(), "tz", "Mars/Olympus"),
                withDatabase(List.of("daily"), database)).status(), "a TZ the JVM would not take by that name");
    }

    @Test
    void anAnswerLargerThanTheReceiverGivesIsRefusedForTheCommandToRun() {
        List<String> args = withDatabase(List.of("session", "--json"), database);
        int size = command(Map.of(), args).out().length;
        Map<String, List<String>> parameters = Map.of("arg", args, "home", List.of(HOME.toString()));
        CommandApi.Answer refused = new CommandApi(database, Clock.fixed(NOW, ZoneOffset.UTC), HERE, size - 1)
                .answer(parameters);
        assertEquals(409, refused.status());
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("run the command itself"));
        assertEquals(200, new CommandApi(database, Clock.fixed(NOW, ZoneOffset.UTC), HERE, size)
                .answer(parameters).status(), "up to the limit, answered");
    }

    @Test
    void aMalformedRequestIsA400() {
        assertEquals(400, ask(HERE, Map.of(), List.of("daily")).status(), "home is required");
        assertEquals(400, ask(HERE, Map.of("home", HOME.toString(), "colour", "1"), List.of("daily")).status());
        assertEquals(400, ask(HERE, Map.of("home", HOME.toString(), "stderr", "trailer"), List.of("daily")).status());
        Map<String, List<String>> twice = new HashMap<>(Map.of("home", List.of(HOME.toString(), "/x"),
                "arg", List.of("daily")));
        assertEquals(400, new CommandApi(database, Clock.fixed(NOW, ZoneOffset.UTC), HERE).answer(twice).status());
    }
}
