package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus (Debian's package) scrapes the receiver every second while the real Claude Code CLI uses the
 * stand-in API: the counters equal what the API served and what the CLI billed, and stay monotonic across a
 * {@code kill -9} of the receiver. The shipped alert rules load and pass their unit tests; every query of the shipped Grafana
 * dashboard is valid PromQL over these series.
 */
class PrometheusTest {

    static final Path MONITORING = Path.of("").toAbsolutePath().getParent().resolve("monitoring");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path temp;
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    static Path program(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Skip.unlessInstalled(false, name + " not found: apt-get install prometheus (.ci/run does)");
        return null;
    }

    private static String run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void shippedAlertRulesPassTheirUnitTestsAndTheConfigIsValid() throws Exception {
        Path promtool = program("promtool");
        Path rules = MONITORING.resolve("prometheus");
        run(rules, promtool.toString(), "check", "config", "prometheus.yml");
        run(rules, promtool.toString(), "test", "rules", "alerts.test.yml", "alerts-burn-rate.test.yml");
    }

    @Test
    void countersEqualWhatClaudeCodeBilledAndSurviveKill9() throws Exception {
        Path prometheus = program("prometheus");
        Path promtool = program("promtool");
        Path claude = ClaudeCodeCli.require();
        var api = new StandInMessagesApi(1000); // dollars and cents, not fractions of a cent
        running.add(api);
        Path home = Files.createDirectory(temp.resolve("receiver-home"));
        int port = DaemonProcess.freePort();
        String[] daemonArgs = {"--port", Integer.toString(port), "--daily-budget", "0.01"};
        DaemonProcess daemon = DaemonProcess.start(home, daemonArgs).awaitHealthy(port);
        running.add(() -> daemon.process.destroyForcibly());
        Prometheus server = Prometheus.start(prometheus, temp.resolve("prometheus"), port);
        running.add(server);

        // As the launcher labels a session; without it the project comes from the transcript (ReceiverMetricsTest).
        Map<String, String> launched = Map.of("OTEL_RESOURCE_ATTRIBUTES", "project=demo");
        JsonNode first = ClaudeCodeCli.print(claude, Files.createDirectory(temp.resolve("cli1")), api.baseUrl(), port,
                "say hi", launched);
        long firstTokens = api.servedTotal();
        server.await("sum(claude_code_token_usage_tokens_total)", value -> value == firstTokens);

        // The text format and the shipped rules as Prometheus' own tool checks them.
        HttpResponse<String> text = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics?debug=1")).header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, text.statusCode(), "a query string and an Accept it cannot serve: the text format");
        assertTrue(text.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        Path scraped = Files.writeString(temp.resolve("scrape.txt"), text.body());
        run(temp, "sh", "-c", "'" + promtool + "' check metrics < '" + scraped + "'");
        run(MONITORING.resolve("prometheus"), promtool.toString(), "check", "rules", "alerts.yml");

        // kill -9: the counters continue from the durable ledger, they do not start again from zero.
        daemon.process.destroyForcibly().waitFor();
        server.await("up{job=\"claude-token-metrics\"}", value -> value == 0);
        DaemonProcess restarted = DaemonProcess.start(home, daemonArgs).awaitHealthy(port);
        running.add(() -> restarted.process.destroyForcibly());
        JsonNode second = ClaudeCodeCli.print(claude, Files.createDirectory(temp.resolve("cli2")), api.baseUrl(), port,
                "say hi again", launched);
        long allTokens = api.servedTotal();
        server.await("sum(claude_code_token_usage_tokens_total)", value -> value == allTokens);
        assertEquals(0, server.value("sum(resets(claude_code_token_usage_tokens_total[10m]))"), "no counter reset");
        assertEquals(0, server.value("sum(resets(claude_code_cost_usage_USD_total[10m]))"), "no counter reset");
        String[] types = {"input", "output", "cacheRead", "cacheCreation"};
        for (int type = 0; type < types.length; type++) {
            assertEquals(api.served(type), (long) server.value(
                    "sum(claude_code_token_usage_tokens_total{type=\"" + types[type] + "\"})"), types[type]);
        }
        BigDecimal billed = first.path("total_cost_usd").decimalValue().add(second.path("total_cost_usd").decimalValue());
        assertEquals(billed.doubleValue(), server.value("sum(claude_code_cost_usage_USD_total)"), 1e-9, "cost");
        assertEquals(billed.doubleValue(), server.value("claude_code_cost_today_USD"), 1e-9, "today's cost");
        assertEquals(billed.doubleValue() / 0.01, server.value("claude_code_daily_budget_ratio"), 1e-6, "budget");
        assertEquals(api.calls(), (long) server.value("sum(claude_code_api_requests_total{project=\"demo\"})"),
                "requests");
        assertEquals(2, (long) server.value("claude_code_sessions_total"), "sessions");
        assertTrue(server.value("sum(claude_token_metrics_exports_total{result=\"accepted\"})") > 0);
        assertTrue(server.value("claude_token_metrics_journal_fsync_seconds_count") > 0);

        // The shipped rules loaded and evaluate without error; each series they watch exists.
        JsonNode groups = server.api("/api/v1/rules").path("data").path("groups");
        var expressions = new ArrayList<String>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertEquals("ok", rule.path("health").asText(), rule.toString());
                expressions.add(rule.path("query").asText());
            }
        }
        assertEquals(6, expressions.size(), groups.toString());
        var watched = Pattern.compile("\\b(up|claude_[a-zA-Z_]+)\\b");
        for (String expression : expressions) {
            assertEquals("success", server.query(expression).path("status").asText(), expression);
            Matcher names = watched.matcher(expression);
            while (names.find()) {
                assertTrue(server.query(names.group(1)).path("data").path("result").size() > 0,
                        names.group(1) + " in " + expression);
            }
        }
        server.await("count(ALERTS{alertname=\"ClaudeCodeDailyBudgetReached\"})", value -> value == 1);

        // Every query of the dashboard is valid over these series and returns data.
        JsonNode dashboard = JSON.readTree(MONITORING.resolve("grafana/dashboards/claude-code.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText().replace("$project", ".*").replace("$model", ".*")
                        .replace("$__range", "10m").replace("$__rate_interval", "1m");
                JsonNode answer = server.query(expr);
                assertEquals("success", answer.path("status").asText(), panel.path("title") + ": " + answer);
                assertTrue(answer.path("data").path("result").size() > 0, panel.path("title") + ": " + answer);
            }
        }
    }

    /** A Prometheus server on a free loopback port, scraping the receiver every second, with the shipped rules. */
    record Prometheus(Process process, URI base) implements AutoCloseable {

        static Prometheus start(Path program, Path directory, int receiverPort) throws Exception {
            Files.createDirectories(directory);
            int port = DaemonProcess.freePort();
            Path config = Files.writeString(directory.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - %s
                    scrape_configs:
                      - job_name: claude-token-metrics
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(MONITORING.resolve("prometheus/alerts.yml"), receiverPort));
            Process process = new ProcessBuilder(program.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
            var server = new Prometheus(process, URI.create("http://127.0.0.1:" + port));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (HTTP.send(HttpRequest.newBuilder(server.base.resolve("/-/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return server;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new AssertionError("prometheus did not start: "
                            + Files.readString(directory.resolve("prometheus.log")));
                }
                Thread.sleep(100);
            }
        }

        JsonNode query(String promql) throws IOException, InterruptedException {
            return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        }

        JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        }

        /** The value of an instant query with one result, or NaN when it has none. */
        double value(String query) throws IOException, InterruptedException {
            JsonNode result = query(query).path("data").path("result");
            return result.size() == 0 ? Double.NaN : Double.parseDouble(result.get(0).path("value").get(1).asText());
        }

        /** Polls the query (Prometheus scrapes every second) until its value satisfies the condition. */
        double await(String query, Predicate<Double> condition) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            double value = Double.NaN;
            while (System.nanoTime() < deadline) {
                value = value(query);
                if (!Double.isNaN(value) && condition.test(value)) {
                    return value;
                }
                Thread.sleep(200);
            }
            throw new AssertionError(query + " never satisfied the condition; last " + value);
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
