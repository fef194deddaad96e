package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.Ledger;
import dev.tokenmetrics.receiver.ledger.LedgerRow;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/claude-token-metrics asks the running receiver (docs/REPORTS.md, "Answered by the receiver"), which prints
 * what the command's own JVM prints, exit status included; and runs the command itself when the receiver is down,
 * for a file, or for another ledger. A JDK that does not exist (CLAUDE_TOKEN_METRICS_JDK) shows which path
 * answered: the receiver's needs none.
 */
class ReportsFromTheReceiverTest {

    private static final Map<String, String> NO_JDK = Map.of("CLAUDE_TOKEN_METRICS_JDK", "/nonexistent");

    @TempDir
    Path home;
    private int port;
    private Process receiver;

    @BeforeEach
    void ledgerAndReceiver() throws Exception {
        Shell.require("curl");
        Path database = home.resolve(".claude/token-metrics/usage.db");
        Files.createDirectories(database.getParent());
        Instant recent = Instant.now().minus(Duration.ofHours(1));
        try (Ledger ledger = Ledger.open(database)) {
            ledger.record(List.of(
                    row("req_1", "s1", Instant.parse("2026-11-30T10:00:00Z"), "claude-opus-5-5", "0.5"),
                    row("req_2", "s2", recent, "claude-haiku-5", "2.25"),
                    row("req_3", "s2", recent.plusSeconds(60), "new-model", null)));
        }
        port = Shell.freePort();
        var builder = new ProcessBuilder(Shell.SCRIPTS.resolve("token-metrics-receiver").toString())
                .directory(Shell.REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(home.resolve("receiver.out").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("CLAUDE_TOKEN") || key.startsWith("OTEL_")
                || key.equals("XDG_CACHE_HOME")); // the cache under this HOME
        builder.environment().put("HOME", home.toString());
        builder.environment().put("CLAUDE_TOKEN_METRICS_PORT", Integer.toString(port));
        receiver = builder.start();
        awaitReceiver();
    }

    @AfterEach
    void stopReceiver() throws Exception {
        if (receiver != null) {
            receiver.toHandle().descendants().forEach(ProcessHandle::destroy);
            receiver.destroy();
            receiver.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static LedgerRow row(String id, String session, Instant time, String model, String cost) {
        return new LedgerRow(LedgerRow.key(id, 0, null), LedgerRow.Source.TELEMETRY, session, time, model,
                new LedgerRow.Tokens(100, 10, 1000, 5, 5, 0), cost == null ? null : new BigDecimal(cost),
                cost == null ? LedgerRow.CostSource.UNPRICED : LedgerRow.CostSource.EXACT, LedgerRow.Call.NONE,
                LedgerRow.Place.NONE, null);
    }

    private void awaitReceiver() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            assertTrue(receiver.isAlive(), () -> "the receiver exited: " + output());
            try {
                var answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && Files.exists(home.resolve(".claude/token-metrics/receiver.pid"))) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the receiver never answered: " + output());
    }

    private String output() {
        try {
            return Files.readString(home.resolve("receiver.out"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private Shell.Result report(Map<String, String> env, String args) throws Exception {
        var all = new HashMap<>(env);
        all.put("CLAUDE_TOKEN_METRICS_PORT", Integer.toString(port));
        return Shell.run(Shell.require("sh"), home, all, Shell.SCRIPTS.resolve("claude-token-metrics") + " " + args);
    }

    private static void assertSame(Shell.Result itself, Shell.Result answered, String args) {
        assertEquals(itself.out(), answered.out(), "stdout of " + args);
        assertEquals(itself.err(), answered.err(), "stderr of " + args);
        assertEquals(itself.exitCode(), answered.exitCode(), "exit status of " + args);
    }

    @Test
    void theReceiverAnswersWhatTheCommandPrintsExitStatusIncluded() throws Exception {
        // (what depends on the minute, such as the active block's time left, is compared at a fixed time by reports'
        // AnsweredByTheReceiverTest)
        for (String args : List.of("daily", "session --json", "model --csv --breakdown",
                "daily --period 24h --json", "'--project=a b' --json", "--budget 2", "--budget 2.5 --json",
                "--budget 100", "monthly --timezone Asia/Kolkata", "dayly", "--since yesterday",
                "'--since=café 50% \\n'", "--help")) { // an error whose bytes its header encodes
            Shell.Result answered = report(NO_JDK, args);
            assertFalse(answered.err().contains("needs Java"), "the receiver answered " + args + ": "
                    + answered.both());
            Shell.Result itself = report(Map.of("CLAUDE_TOKEN_METRICS_VIA_RECEIVER", "0"), args);
            assertSame(itself, answered, args);
            Shell.Result onItsOwnZone = report(Map.of("TZ", "America/New_York", "COLUMNS", "70"), args);
            Shell.Result itselfInThatZone = report(Map.of("TZ", "America/New_York", "COLUMNS", "70",
                    "CLAUDE_TOKEN_METRICS_VIA_RECEIVER", "0"), args);
            assertSame(itselfInThatZone, onItsOwnZone, "TZ=America/New_York COLUMNS=70 " + args);
        }
        assertEquals(5, report(NO_JDK, "--budget 2").exitCode(), "the budget's exit status, from the receiver");
    }

    @Test
    void aFileOrAnotherLedgerIsTheCommandsOwnWork() throws Exception {
        Path csv = home.resolve("out.csv");
        for (String args : List.of("daily --csv " + csv, "daily --html " + home.resolve("out.html"),
                "daily --db " + home.resolve(".claude/token-metrics/usage.db"))) {
            Shell.Result result = report(NO_JDK, args);
            assertEquals(1, result.exitCode(), result.both());
            assertTrue(result.err().contains("needs Java"), "not the receiver: " + result.both());
        }
        assertFalse(Files.exists(csv), "the receiver wrote nothing");
        Shell.Result written = report(Map.of(), "daily --csv " + csv);
        assertEquals(0, written.exitCode(), written.both());
        assertTrue(Files.readString(csv).startsWith("date,model,requests"), "the command wrote it");
    }

    @Test
    void theReceiverLoadsSqlitesLibraryFromTheCacheTheCommandUsesNotFromTmp() throws Exception {
        Path maps = Path.of("/proc", Long.toString(receiver.pid()), "maps"); // the launcher execs the JVM
        Assumptions.assumeTrue(Files.isReadable(maps), "no /proc here to see which library the receiver mapped");
        Path cache = home.resolve(".cache/claude-token-metrics");
        List<String> mapped = Files.readAllLines(maps).stream().filter(line -> line.contains("sqlitejdbc"))
                .map(line -> line.substring(line.indexOf('/'))).distinct().toList();
        assertEquals(1, mapped.size(), "one library mapped: " + mapped);
        assertTrue(mapped.get(0).startsWith(cache + "/sqlite-"), "from the cache, not /tmp: " + mapped);
    }

    @Test
    void withTheReceiverDownTheCommandRunsItself() throws Exception {
        Shell.Result answered = report(Map.of(), "session --json");
        stopReceiver();
        receiver = null;
        Files.writeString(home.resolve(".claude/token-metrics/receiver.pid"), "999999\n"); // a stale pid file
        Shell.Result fallback = report(NO_JDK, "session --json");
        assertTrue(fallback.err().contains("needs Java"), "nobody answered, the command ran: " + fallback.both());
        assertSame(answered, report(Map.of(), "session --json"), "session --json, receiver down");
    }
}
