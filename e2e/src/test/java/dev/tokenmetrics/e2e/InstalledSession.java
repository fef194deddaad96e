package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenmetrics.receiver.StandInMessagesApi;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A user's HOME as install.sh leaves it (statusLine and its refreshInterval in settings.json, the shell integration
 * in ~/.local/share), with Claude Code's statusLine command wrapped so that every run is recorded: the stdin Claude
 * Code piped in and the row our statusline answered.
 */
final class InstalledSession {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path home;
    final Path project;
    final int port;
    private final Path runs;

    private InstalledSession(Path home, Path project, int port, Path runs) {
        this.home = home;
        this.project = project;
        this.port = port;
        this.runs = runs;
    }

    /** Runs install.sh (without building: the reactor built the jars) into {@code temp/home}. */
    static InstalledSession install(Path temp) throws Exception {
        Path home = Files.createDirectory(temp.resolve("home"));
        Path project = Files.createDirectory(temp.resolve("project"));
        Path runs = Files.createDirectory(temp.resolve("statusline-runs"));
        var installed = Shell.run(Shell.require("bash"), home, new LinkedHashMap<>(Map.of(
                "CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1")), Shell.SCRIPTS.resolve("install.sh").toString());
        assertEquals(0, installed.exitCode(), installed.both());
        ClaudeHome.prepare(home, project); // keeps settings.json, which the installer wrote

        Path settingsFile = home.resolve(".claude/settings.json");
        ObjectNode settings = (ObjectNode) JSON.readTree(settingsFile.toFile());
        ObjectNode statusLine = (ObjectNode) settings.path("statusLine");
        String statusline = statusLine.path("command").asText();
        Path wrapper = temp.resolve("recorded-statusline.sh");
        Files.writeString(wrapper, "#!/bin/sh\n"
                + "# keeps every stdin Claude Code pipes in and the row the installed statusline answers\n"
                + "run=\"" + runs + "/$(date +%s%N)\"\n"
                + "tee \"$run.in\" | \"" + statusline + "\" | tee \"$run.part\"\n"
                + "mv \"$run.part\" \"$run.out\"\n");
        assertTrue(wrapper.toFile().setExecutable(true));
        statusLine.put("command", wrapper.toString()); // refreshInterval stays what the installer wrote
        JSON.writeValue(settingsFile.toFile(), settings);
        return new InstalledSession(home, project, Shell.freePort(), runs);
    }

    /** The refreshInterval (seconds) the installer wrote. */
    int refreshSeconds() throws IOException {
        return JSON.readTree(home.resolve(".claude/settings.json").toFile()).path("statusLine").path("refreshInterval")
                .asInt();
    }

    /** Replaces the refreshInterval the installer wrote, to measure others. */
    void refreshSeconds(int seconds) throws IOException {
        Path settingsFile = home.resolve(".claude/settings.json");
        ObjectNode settings = (ObjectNode) JSON.readTree(settingsFile.toFile());
        ((ObjectNode) settings.path("statusLine")).put("refreshInterval", seconds);
        JSON.writeValue(settingsFile.toFile(), settings);
    }

    /** The terminal's environment: a user's, with the API on loopback and the receiver on a port of its own. */
    Map<String, String> environment(StandInMessagesApi api) {
        var env = new LinkedHashMap<String, String>();
        env.put("HOME", home.toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("TERM", "xterm-256color");
        env.put("PATH", home.resolve(".local/bin") + ":" + System.getenv("PATH"));
        env.put("ANTHROPIC_BASE_URL", api.baseUrl());
        env.put("ANTHROPIC_API_KEY", ClaudeHome.API_KEY);
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("CLAUDE_TOKEN_METRICS_PORT", Integer.toString(port));
        return env;
    }

    /**
     * Claude Code started from a shell that sourced the installed shell integration, as ~/.bashrc does: it exports
     * the telemetry variables (its default export interval, cumulative temporality) and starts the receiver in the
     * background when /health does not answer.
     */
    List<String> shellIntegration(Path claude) {
        return shellIntegration(claude, null);
    }

    /** The same with CLAUDE_TOKEN_METRICS_INTERVAL set (when not null), to measure other export intervals. */
    List<String> shellIntegration(Path claude, String exportIntervalMs) {
        Path config = home.resolve(".local/share/claude-token-metrics/bin/claude-token-config.sh");
        // Variables a developer's own shell might carry would change what Claude Code does: not the user's.
        return List.of("bash", "-c", "unset ${!OTEL_*} ${!CLAUDE_TOKEN_*} CLAUDE_CODE_ENABLE_TELEMETRY;"
                + " export CLAUDE_TOKEN_METRICS_PORT=" + port
                + (exportIntervalMs == null ? "" : " CLAUDE_TOKEN_METRICS_INTERVAL="
                        + Integer.parseInt(exportIntervalMs))
                + "; . \"$1\" && exec \"$2\"", "shell", config.toString(),
                claude.toString());
    }

    /** The pid /health names, once the receiver answers on the port. */
    long awaitReceiverPid(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        var pid = Pattern.compile("\"pid\":(\\d+)");
        HttpClient client = HttpClient.newHttpClient();
        while (System.nanoTime() < deadline) {
            try {
                var response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                var found = pid.matcher(response.body());
                if (response.statusCode() == 200 && found.find()) {
                    return Long.parseLong(found.group(1));
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no receiver answered /health on port " + port);
    }

    /** Stops a receiver the shell integration started, as a user would; nothing when none runs. */
    void stopReceiver() throws Exception {
        Shell.run(Shell.require("bash"), home, new LinkedHashMap<>(Map.of("CLAUDE_TOKEN_METRICS_PORT",
                Integer.toString(port))), home.resolve(".local/bin/stop-token-proxy.sh").toString());
    }

    /** Now, on the clock the recorded runs are named by (date +%s%N). */
    static long epochNanos() {
        var now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Every statusline run so far, oldest first. */
    List<Run> runs() throws IOException {
        List<Path> outs;
        try (var files = Files.list(runs)) {
            outs = files.filter(f -> f.getFileName().toString().endsWith(".out")).sorted().toList();
        }
        var all = new ArrayList<Run>();
        for (Path out : outs) {
            String name = out.getFileName().toString();
            Path in = out.resolveSibling(name.substring(0, name.length() - ".out".length()) + ".in");
            String line = Files.readString(out).strip();
            long started = Long.parseLong(name.substring(0, name.length() - ".out".length()));
            all.add(new Run(started, JSON.readTree(in.toFile()), Row.parse(line)));
        }
        return all;
    }

    /** Waits for a statusline run that satisfies the condition and returns the first such. */
    Run awaitRun(Predicate<Run> condition, Duration timeout, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Run run : runs()) {
                if (condition.test(run)) {
                    return run;
                }
            }
            if (System.nanoTime() > deadline) {
                List<Run> all = runs();
                throw new AssertionError("no statusline run showed " + what + "; last: "
                        + (all.isEmpty() ? "none" : all.get(all.size() - 1)));
            }
            Thread.sleep(100);
        }
    }

    /** One run of the statusline: what Claude Code piped in, and the row it printed. */
    record Run(long startedNanos, JsonNode stdin, Row row) {
        BigDecimal claudeCost() {
            return stdin.path("cost").path("total_cost_usd").decimalValue();
        }

        String sessionId() {
            return stdin.path("session_id").asText();
        }

        @Override
        public String toString() {
            return "cost " + claudeCost() + " -> " + row.line();
        }
    }

    /** The figures a row shows. */
    record Row(String line, BigDecimal sessionCost, OptionalLong tokens, String mark) {

        private static final Pattern COST = Pattern.compile("💰 \\$([0-9,]+\\.[0-9]{2}) session");
        private static final Pattern TOKENS = Pattern.compile("📊 ([0-9,]+) tokens(?: \\((actual|pending)\\))?");

        static Row parse(String line) {
            var cost = COST.matcher(line);
            var tokens = TOKENS.matcher(line);
            boolean hasTokens = tokens.find();
            return new Row(line, cost.find() ? new BigDecimal(cost.group(1).replace(",", "")) : null,
                    hasTokens ? OptionalLong.of(Long.parseLong(tokens.group(1).replace(",", "")))
                            : OptionalLong.empty(),
                    hasTokens && tokens.group(2) != null ? tokens.group(2) : "");
        }

        boolean actual() {
            return mark.equals("actual");
        }

        /** "(actual)" with exactly these tokens and Claude Code's cost, to the cent. */
        boolean exact(long tokens, BigDecimal claudeCost) {
            return actual() && this.tokens.equals(OptionalLong.of(tokens)) && sessionCost != null
                    && sessionCost.compareTo(cents(claudeCost)) == 0;
        }
    }

    /** A cost as the row shows it. */
    static BigDecimal cents(BigDecimal usd) {
        return usd.setScale(2, RoundingMode.HALF_UP);
    }
}
