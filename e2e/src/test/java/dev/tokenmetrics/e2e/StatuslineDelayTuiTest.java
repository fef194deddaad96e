package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ClaudeCodeCli;
import dev.tokenmetrics.receiver.StandInMessagesApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: from the end of an answer to 📊 showing its tokens, in the real TUI with the defaults a user gets (the
 * export interval the shell integration sets, the refreshInterval the installer writes). The target is a median of
 * 2 s or less (docs/PERFORMANCE.md quotes the figures); asserted loosely, at 4 s, since a timed test on a shared VM
 * must not fail on a slow minute.
 */
class StatuslineDelayTuiTest {

    private static final int PROMPTS = 7;

    @TempDir
    Path temp;

    @Test
    void theRowShowsAnAnswersTokensWithinTwoSecondsOfTheAnswerAtTheMedian() throws Exception {
        Path claude = ClaudeCodeCli.require();
        InstalledSession user = InstalledSession.install(temp);
        try (Tmux tmux = Tmux.require(); var api = new StandInMessagesApi()) { // small usage: no auto-compaction
            // -Dtui.exportIntervalMs and -Dtui.refreshSeconds measure other settings than the defaults
            String interval = System.getProperty("tui.exportIntervalMs");
            String refresh = System.getProperty("tui.refreshSeconds");
            if (refresh != null) {
                user.refreshSeconds(Integer.parseInt(refresh));
            }
            tmux.start(user.project, user.environment(api), user.shellIntegration(claude, interval));
            user.awaitReceiverPid(Duration.ofSeconds(30));
            tmux.awaitScreen(screen -> screen.contains("❯"), Duration.ofSeconds(60), "Claude Code's prompt");
            var delays = new ArrayList<Long>();
            for (int answer = 1; answer <= PROMPTS; answer++) {
                tmux.type("say hi " + answer);
                long answered = awaitScreen(tmux, answers(answer), "answer " + answer);
                assertEquals(answer, api.calls(), "one API call per prompt");
                String tokens = "📊 " + String.format(Locale.US, "%,d", api.servedTotal()) + " tokens (actual)";
                long shown = awaitScreen(tmux, screen -> screen.contains(tokens), tokens);
                delays.add((shown - answered) / 1_000_000);
            }
            List<Long> sorted = delays.stream().sorted().toList();
            long median = sorted.get(sorted.size() / 2);
            System.out.println("answer to its tokens on screen, export interval "
                    + (interval == null ? "default" : interval + " ms") + ", refreshInterval "
                    + user.refreshSeconds() + " s: " + delays + " ms, median " + median + " ms");
            assertTrue(median <= 4000, "median " + median + " ms: " + delays);
            tmux.type("/exit");
            tmux.awaitExit(Duration.ofSeconds(30));
        } finally {
            user.stopReceiver();
        }
    }

    /** The screen holds at least this many answers. */
    private static Predicate<String> answers(int count) {
        return screen -> screen.split("Hi there!", -1).length - 1 >= count;
    }

    /**
     * Polls the screen every 20 ms (tighter than Tmux.awaitScreen's 250 ms: the delay is the measurement) and returns
     * when it first satisfied the condition, in System.nanoTime.
     */
    private static long awaitScreen(Tmux tmux, Predicate<String> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            long polled = System.nanoTime();
            String screen = tmux.screen();
            if (condition.test(screen)) {
                return polled;
            }
            if (polled > deadline) {
                throw new AssertionError("the screen never showed " + what + "; last screen:\n" + screen);
            }
            Thread.sleep(20);
        }
    }
}
