package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmetrics.e2e.InstalledSession.Run;
import dev.tokenmetrics.receiver.ClaudeCodeCli;
import dev.tokenmetrics.receiver.RunningReceiver;
import dev.tokenmetrics.receiver.StandInMessagesApi;
import dev.tokenmetrics.receiver.http.ServerLimits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver crashes in the middle of a real Claude Code TUI session and comes back (issues 13 and 14): the
 * statusline never claims "(actual)" for fewer tokens than were served nor shows less than Claude Code's own cost,
 * and once the receiver is back the row, the metrics file and the ledger are exact again.
 */
class OutageTuiTest {

    private static final Duration ANSWER = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    /** What had been served and billed when a prompt's answer was complete. */
    record Served(int calls, long[] tokens, BigDecimal claudeCost) {
        long total() {
            return tokens[0] + tokens[1] + tokens[2] + tokens[3];
        }
    }

    @Test
    void aReceiverKilledMidSessionNeverMakesTheRowOverstateAndEverythingIsExactAfterItsRestart() throws Exception {
        // Which source brings the outage's calls depends on how long Claude Code's exporter kept retrying: reported.
        System.out.println("the calls made during the outage, in the ledger: " + outage());
    }

    /**
     * The scenario: a prompt answered with the receiver up, the receiver killed, a prompt answered while it is
     * down, the receiver restarted, a third prompt. Returns where the ledger's rows for the calls made during the
     * outage came from.
     */
    private List<String> outage() throws Exception {
        Path claude = ClaudeCodeCli.require();
        InstalledSession user = InstalledSession.install(temp);
        long daemon = -1;
        try (Tmux tmux = Tmux.require(); var api = new StandInMessagesApi(1000)) {
            tmux.start(user.project, user.environment(api), user.shellIntegration(claude));
            daemon = user.awaitReceiverPid(Duration.ofSeconds(30)); // started by the shell integration
            tmux.awaitScreen(screen -> screen.contains("❯"), Duration.ofSeconds(60), "Claude Code's prompt");
            var served = new ArrayList<Served>();

            // 1. The receiver is up: the row becomes exact.
            served.add(answer(tmux, api, user, "say hi", served));
            Run first = user.awaitRun(run -> run.row().exact(served.get(0).total(), run.claudeCost())
                    && run.claudeCost().signum() > 0, ANSWER, "the first answer's tokens, actual");
            String sessionId = first.sessionId();

            // 2. The receiver is killed as a crash kills it (SIGKILL: no shutdown hook, nothing flushed), and a prompt
            // is answered while it is down.
            ProcessHandle process = ProcessHandle.of(daemon).orElseThrow();
            assertTrue(process.destroyForcibly(), "SIGKILL sent");
            process.onExit().get(20, TimeUnit.SECONDS);
            served.add(answer(tmux, api, user, "again", served));
            BigDecimal before = served.get(0).claudeCost();
            Run behind = user.awaitRun(run -> run.claudeCost().compareTo(before) > 0, ANSWER,
                    "Claude Code's cost of the second answer");
            assertEquals("pending", behind.row().mark(), "the receiver missed the second answer: " + behind);
            assertEquals(InstalledSession.cents(behind.claudeCost()), behind.row().sessionCost(),
                    "Claude Code's own cost, not the receiver's lower one: " + behind);

            // 3. The receiver comes back on the same port and state; Claude Code's next cumulative export carries
            // everything since its process started.
            try (RunningReceiver receiver = RunningReceiver.start(user.home, user.port, ServerLimits.DEFAULTS)) {
                served.add(answer(tmux, api, user, "once more", served));
                long total = served.get(2).total();
                Run healed = user.awaitRun(run -> run.claudeCost().compareTo(served.get(1).claudeCost()) > 0
                        && run.row().exact(total, run.claudeCost()), ANSWER, total + " tokens (actual), restarted");
                BigDecimal billed = healed.claudeCost();
                assertEquals(0, billed.compareTo(served.get(2).claudeCost()), "Claude Code billed nothing more since");
                JsonNode session = receiver.awaitMetrics(m -> m.path("sessions").path(sessionId).path("tokens")
                        .path("total").asLong() == total).path("sessions").path(sessionId);
                assertEquals(0, scaled(billed).compareTo(scaled(session.path("costUsd").decimalValue())),
                        "the metrics file's cost is Claude Code's: " + session);

                neverOverstated(user.runs(), served);
                var sources = ledgerIsExact(receiver, sessionId, api, served);
                tmux.type("/exit");
                tmux.awaitExit(Duration.ofSeconds(30));
                return sources;
            }
        } finally {
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
            user.stopReceiver();
        }
    }

    /**
     * Types a prompt, waits for its answer on the screen and then for a quiet moment: a statusline run that started
     * after the stand-in's last call with no call since. Claude Code may make calls of its own around a prompt; that
     * run's cost covers all of them.
     */
    private static Served answer(Tmux tmux, StandInMessagesApi api, InstalledSession user, String prompt,
                                 List<Served> before) throws Exception {
        int previousCalls = before.isEmpty() ? 0 : before.get(before.size() - 1).calls();
        int answers = before.size() + 1;
        tmux.type(prompt);
        tmux.awaitScreen(screen -> screen.split("Hi there!", -1).length - 1 >= answers, ANSWER, "answer " + answers);
        while (true) {
            int calls = api.calls();
            long[] tokens = {api.served(0), api.served(1), api.served(2), api.served(3)};
            long after = InstalledSession.epochNanos();
            Run run = user.awaitRun(r -> r.startedNanos() > after, ANSWER, "a statusline run after call " + calls);
            if (api.calls() == calls && calls > previousCalls) {
                return new Served(calls, tokens, run.claudeCost());
            }
        }
    }

    /**
     * Every row Claude Code was given to show: never a lower session cost than its own, and never "(actual)" with
     * fewer tokens than had been served for the calls its cost covers.
     */
    private static void neverOverstated(List<Run> runs, List<Served> served) {
        assertFalse(runs.isEmpty());
        for (Run run : runs) {
            var row = run.row();
            assertTrue(row.sessionCost() != null
                    && row.sessionCost().compareTo(InstalledSession.cents(run.claudeCost())) >= 0,
                    "a cost no lower than Claude Code's: " + run);
            long covered = 0;
            for (Served one : served) {
                if (run.claudeCost().compareTo(one.claudeCost()) >= 0) {
                    covered = one.total();
                }
            }
            if (row.actual()) {
                assertTrue(row.tokens().orElseThrow() >= covered, "'(actual)' with fewer tokens than served ("
                        + covered + "): " + run);
            }
        }
    }

    /**
     * The ledger ends exact for the session: its rows sum to the tokens the stand-in served and to the cost Claude Code
     * billed, no call has two request rows, and a prompt's calls priced "exact" never cost more than Claude Code's
     * running total stepped by for that prompt (all of them exact: exactly that). What the request rows (telemetry,
     * transcript) cannot account for, such as calls made during the outage that are in no transcript, Claude Code's
     * cumulative metrics must (the ledger's `metrics` rows, docs/LEDGER.md). Returns the sources and pricing of the
     * rows for the calls made during the outage.
     */
    private static List<String> ledgerIsExact(RunningReceiver receiver, String sessionId, StandInMessagesApi api,
                                              List<Served> served) throws Exception {
        receiver.importTranscripts(); // the minute's import, now: it brings what telemetry never delivered
        receiver.ledgerSums(sessionId); // once the ledger covers every export so far
        var calls = new ArrayList<Integer>(); // per request row; 0 for a row of no single call
        var source = new ArrayList<String>();
        var priced = new ArrayList<String>();
        var cost = new ArrayList<BigDecimal>();
        long[] tokens = new long[4];
        BigDecimal total = BigDecimal.ZERO;
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + receiver.stateDir().resolve("usage.db"));
             var statement = connection.prepareStatement("SELECT key, source, cost_source, cost_usd, query_source,"
                     + " input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens FROM requests"
                     + " WHERE session_id = ? ORDER BY time_ms")) {
            statement.setString(1, sessionId);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    String key = rows.getString(1);
                    System.out.println("ledger: " + key + " from " + rows.getString(2) + " (" + rows.getString(5)
                            + "), priced " + rows.getString(3) + " at " + rows.getString(4));
                    calls.add(key.startsWith("req:") ? Integer.parseInt(key.substring(key.lastIndexOf('_') + 1)) : 0);
                    source.add(rows.getString(2));
                    priced.add(rows.getString(3));
                    cost.add(rows.getString(4) == null ? null : new BigDecimal(rows.getString(4)));
                    total = rows.getString(4) == null ? total : total.add(new BigDecimal(rows.getString(4)));
                    for (int type = 0; type < 4; type++) {
                        tokens[type] += rows.getLong(6 + type);
                    }
                }
            }
        }
        System.out.println("stand-in: " + api.calls() + " calls; prompts ended after calls "
                + served.stream().map(Served::calls).toList() + " at Claude Code's costs "
                + served.stream().map(Served::claudeCost).toList());
        var perCall = calls.stream().filter(call -> call > 0).toList();
        assertEquals(perCall.size(), perCall.stream().distinct().count(), "no call counted twice: " + calls);
        assertTrue(perCall.stream().allMatch(call -> call <= api.calls()), "no call the stand-in did not answer");
        assertEquals(List.of(api.served(0), api.served(1), api.served(2), api.served(3)),
                List.of(tokens[0], tokens[1], tokens[2], tokens[3]), "the tokens served, each counted once");
        BigDecimal billed = served.get(served.size() - 1).claudeCost();
        assertEquals(0, scaled(billed).compareTo(scaled(total)), "the cost Claude Code billed: " + total);
        int from = 1;
        BigDecimal billedBefore = BigDecimal.ZERO;
        for (Served prompt : served) {
            BigDecimal step = prompt.claudeCost().subtract(billedBefore);
            BigDecimal exact = BigDecimal.ZERO;
            boolean allExact = true;
            for (int call = from; call <= prompt.calls(); call++) {
                int row = calls.indexOf(call);
                if (row >= 0 && priced.get(row).equals("exact")) {
                    exact = exact.add(cost.get(row));
                } else {
                    allExact = false;
                }
            }
            if (allExact) {
                assertEquals(0, scaled(step).compareTo(scaled(exact)), "calls " + from + "-" + prompt.calls()
                        + " cost what Claude Code billed for them");
            } else {
                assertTrue(exact.compareTo(step) <= 0, "calls " + from + "-" + prompt.calls() + ": " + exact);
            }
            from = prompt.calls() + 1;
            billedBefore = prompt.claudeCost();
        }
        var outage = new ArrayList<String>();
        for (int call = served.get(0).calls() + 1; call <= served.get(1).calls(); call++) {
            int row = calls.indexOf(call);
            outage.add("call " + call + ": " + (row < 0 ? "no request row" : source.get(row) + "/" + priced.get(row)));
        }
        for (int row = 0; row < calls.size(); row++) {
            if (calls.get(row) == 0) {
                outage.add(source.get(row) + " row/" + priced.get(row));
            }
        }
        return outage;
    }

    /** Costs to ten decimals: Claude Code's running total is a sum of doubles. */
    private static BigDecimal scaled(BigDecimal usd) {
        return usd.setScale(10, RoundingMode.HALF_EVEN);
    }
}
