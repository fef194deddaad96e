package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.ClaudeCodeCli;
import dev.tokenmetrics.receiver.RunningReceiver;
import dev.tokenmetrics.receiver.StandInMessagesApi;
import java.io.File;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain as a user sees it: the real Claude Code TUI (in tmux) exports to the real receiver and runs our
 * statusline, whose stdin is captured on the way. The line must show exactly what the stand-in API served and what
 * Claude Code billed.
 */
class StatuslineEndToEndTest {

    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    static String usd(BigDecimal amount) {
        return "$" + String.format(Locale.US, "%,.2f", amount.setScale(2, RoundingMode.HALF_UP));
    }

    static String grouped(long value) {
        return String.format(Locale.US, "%,d", value);
    }

    /** Runs scripts/claude-statusline on the given stdin, as Claude Code would. */
    static String statusline(Path home, Path stdin, Path xdgCache, String... args) throws Exception {
        var command = new ArrayList<>(List.of(REPO.resolve("scripts/claude-statusline").toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectInput(stdin.toFile());
        builder.environment().put("HOME", home.toString()); // it keeps its last line under ~/.claude: not the real one
        builder.environment().put("XDG_CACHE_HOME", xdgCache.toString());
        builder.environment().remove("CLAUDE_TOKEN_TRACKING");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        assertEquals("", err, "nothing on stderr");
        return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }

    @Test
    void theTuiShowsTheExactActualFiguresFromARealSession() throws Exception {
        Path claude = ClaudeCodeCli.require();
        try (Tmux tmux = Tmux.require();
             var api = new StandInMessagesApi(1000);
             RunningReceiver receiver = RunningReceiver.start(Files.createDirectory(temp.resolve("receiver-home")))) {
            Path home = Files.createDirectory(temp.resolve("home"));
            Path project = Files.createDirectory(temp.resolve("project"));
            Path captured = Files.createDirectory(temp.resolve("captured"));
            Path xdgCache = temp.resolve("cache");
            ClaudeHome.prepare(home, project);
            Path capture = temp.resolve("statusline.sh");
            Files.writeString(capture, "#!/bin/sh\n"
                    + "# keeps every stdin Claude Code pipes in, then renders the line with our statusline\n"
                    + "tee \"" + captured + "/stdin-$(date +%s%N).json\" | XDG_CACHE_HOME=\"" + xdgCache + "\" \""
                    + REPO.resolve("scripts/claude-statusline") + "\" --metrics-file \"" + receiver.metricsFile() + "\"\n");
            assertTrue(capture.toFile().setExecutable(true));
            ClaudeHome.statusLine(home, capture.toString());
            // Record the start-up cache now: on first use it is recorded in the background, which would still be
            // writing into this test's directory when the test ends.
            var prepared = new ProcessBuilder(REPO.resolve("scripts/claude-statusline").toString(), "--prepare");
            prepared.environment().put("HOME", home.toString());
            prepared.environment().put("XDG_CACHE_HOME", xdgCache.toString());
            assertEquals(0, prepared.inheritIO().start().waitFor());

            var env = new LinkedHashMap<String, String>();
            env.put("HOME", home.toString());
            env.put("TERM", "xterm-256color");
            env.put("ANTHROPIC_BASE_URL", api.baseUrl());
            env.put("ANTHROPIC_API_KEY", ClaudeHome.API_KEY);
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            env.put("CLAUDE_CODE_ENABLE_TELEMETRY", "1");
            env.put("OTEL_METRICS_EXPORTER", "otlp");
            env.put("OTEL_LOGS_EXPORTER", "otlp");
            env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.port());
            env.put("OTEL_METRIC_EXPORT_INTERVAL", "1000"); // Claude Code's default is 60 s
            tmux.start(project, env, List.of(claude.toString()));
            long started = System.nanoTime();
            tmux.awaitScreen(screen -> screen.contains("❯"), Duration.ofSeconds(60), "Claude Code's prompt");
            tmux.type("say hi");

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (api.calls() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String expectedTokens = "📊 " + grouped(api.servedTotal()) + " tokens (actual)";
            String wanted = expectedTokens;
            String screen = tmux.awaitScreen(s -> s.contains(wanted), Duration.ofSeconds(60), wanted);

            // The line our statusline prints for the last stdin Claude Code piped, against the receiver's file.
            Path lastStdin;
            try (var files = Files.list(captured)) {
                lastStdin = files.max(Comparator.comparing(Path::getFileName)).orElseThrow();
            }
            JsonNode stdin = JSON.readTree(lastStdin.toFile());
            String sessionId = stdin.path("session_id").asText();
            JsonNode metrics = receiver.awaitMetrics(m -> m.path("sessions").path(sessionId).path("tokens").path("total")
                    .asLong() == api.servedTotal());
            JsonNode session = metrics.path("sessions").path(sessionId);
            BigDecimal billed = stdin.path("cost").path("total_cost_usd").decimalValue();
            assertEquals(0, billed.setScale(10, RoundingMode.HALF_EVEN).compareTo(
                    session.path("costUsd").decimalValue().setScale(10, RoundingMode.HALF_EVEN)),
                    "the receiver's cost is what Claude Code billed");
            String expected = "🤖 " + stdin.path("model").path("display_name").asText()
                    + " | 💰 " + usd(billed) + " session / " + usd(metrics.path("today").path("costUsd").decimalValue())
                    + " today | " + expectedTokens + " | 🔥 " + grouped(session.path("tokensPerMinute").asLong())
                    + " tok/min";
            assertEquals(expected,
                    statusline(home, lastStdin, xdgCache, "--metrics-file", receiver.metricsFile().toString()));

            // And the same on the TUI's screen, as the user sees it.
            String shown = tmux.awaitScreen(s -> s.contains(expected), Duration.ofSeconds(10), expected);
            assertTrue(shown.contains(expected), shown);
            System.out.println("the exact line was on the TUI's screen " + (System.nanoTime() - started) / 1_000_000
                    + " ms after Claude Code started");
            tmux.type("/exit");
            tmux.awaitExit(Duration.ofSeconds(30));
            assertTrue(screen.contains("📊"), screen);
            assertTrue(new File(stdin.path("transcript_path").asText()).exists(), "real stdin names a real transcript");
        }
    }
}
