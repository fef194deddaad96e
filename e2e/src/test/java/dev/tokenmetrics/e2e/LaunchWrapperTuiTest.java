package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ClaudeCodeCli;
import dev.tokenmetrics.receiver.StandInMessagesApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As a user adopts it: installed by install.sh, Claude Code's TUI started through launch-claude-with-metrics.sh, and
 * the installed statusline showing the exact tokens the API served, marked actual. The wrapper stops the receiver it
 * started when Claude Code exits.
 */
class LaunchWrapperTuiTest {

    @TempDir
    Path temp;

    @Test
    void theInstalledStatuslineShowsTheExactActualTokensOfASessionStartedThroughTheWrapper() throws Exception {
        Path claude = ClaudeCodeCli.require();
        Path home = Files.createDirectory(temp.resolve("home"));
        Path project = Files.createDirectory(temp.resolve("my project"));
        var git = Shell.run(Shell.require("bash"), temp, new LinkedHashMap<>(), "cd '" + project
                + "' && git init -q -b 'feat/a,b=c' 2>&1 || (git init -q && git checkout -q -b 'feat/a,b=c')");
        assertEquals(0, git.exitCode(), git.both());
        int port = Shell.freePort();
        var installEnv = new LinkedHashMap<String, String>();
        installEnv.put("CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1");
        var installed = Shell.run(Shell.require("bash"), home, installEnv, Shell.SCRIPTS.resolve("install.sh").toString());
        assertEquals(0, installed.exitCode(), installed.both());
        ClaudeHome.prepare(home, project);

        try (Tmux tmux = Tmux.require(); var api = new StandInMessagesApi(1000)) {
            var env = new LinkedHashMap<String, String>();
            env.put("HOME", home.toString());
            env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
            env.put("TERM", "xterm-256color");
            env.put("PATH", home.resolve(".local/bin") + ":" + System.getenv("PATH"));
            env.put("ANTHROPIC_BASE_URL", api.baseUrl());
            env.put("ANTHROPIC_API_KEY", ClaudeHome.API_KEY);
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            env.put("CLAUDE_CODE_BIN", claude.toString());
            env.put("CLAUDE_TOKEN_METRICS_PORT", Integer.toString(port));
            env.put("CLAUDE_TOKEN_METRICS_INTERVAL", "1000");
            tmux.start(project, env, List.of(home.resolve(".local/bin/launch-claude-with-metrics.sh").toString()));
            tmux.awaitScreen(screen -> screen.contains("❯"), Duration.ofSeconds(60), "Claude Code's prompt");
            tmux.type("say hi");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (api.calls() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String expected = "📊 " + String.format(Locale.US, "%,d", api.servedTotal()) + " tokens (actual)";
            String screen = tmux.awaitScreen(s -> s.contains(expected), Duration.ofSeconds(30), expected);
            assertTrue(screen.contains("🤖 Opus"), screen);

            String metrics = Files.readString(home.resolve(".claude/token-metrics.json"));
            assertTrue(metrics.contains("\"project\" : \"my project\""), "project label from the directory: " + metrics);
            assertTrue(metrics.contains("\"git.branch\" : \"feat/a,b=c\""), "branch, escaped and back: " + metrics);
            assertTrue(metrics.contains("\"claude_token_metrics.launch\""), metrics);

            tmux.type("/exit");
            tmux.awaitExit(Duration.ofSeconds(30));
            long stopDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (healthAnswers(port) && System.nanoTime() < stopDeadline) {
                Thread.sleep(200);
            }
            assertTrue(!healthAnswers(port), "the wrapper stopped the receiver it started, no other session exporting");
        } finally {
            Shell.run(Shell.require("bash"), home, new LinkedHashMap<>(java.util.Map.of("CLAUDE_TOKEN_METRICS_PORT",
                    Integer.toString(port))), home.resolve(".local/bin/stop-token-proxy.sh").toString());
        }
    }

    private static boolean healthAnswers(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
