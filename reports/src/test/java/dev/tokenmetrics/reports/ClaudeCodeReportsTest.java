package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.ClaudeCodeCli;
import dev.tokenmetrics.receiver.RunningReceiver;
import dev.tokenmetrics.receiver.StandInMessagesApi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports on what the real Claude Code CLI did against the stand-in API in two projects and on two branches,
 * checked against the stand-in's record of what it served and against Claude Code's own cost: daily, session,
 * project and branch row by row, every other report's totals, read by the command itself (JSON) from the ledger the
 * receiver wrote.
 */
class ClaudeCodeReportsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    /** One Claude Code run: where, its session, the tokens the stand-in served it, and Claude Code's cost. */
    private record Run(String project, String branch, String session, long tokens, BigDecimal cost) {
    }

    @Test
    void dailySessionProjectAndBranchReportsMatchWhatTheStandInServed() throws Exception {
        Path claude = ClaudeCodeCli.require();
        var runs = new ArrayList<Run>();
        try (StandInMessagesApi api = new StandInMessagesApi(1000); RunningReceiver receiver =
                RunningReceiver.start(home)) {
            Path alpha = repository("alpha", "main");
            Path beta = repository("beta", "main");
            runs.add(run(claude, api, receiver, alpha, "main"));
            git(alpha, "checkout", "-q", "-b", "feature/x");
            runs.add(run(claude, api, receiver, alpha, "feature/x"));
            runs.add(run(claude, api, receiver, beta, "main"));
            receiver.awaitPublished();
            receiver.importTranscripts(); // the working directory and git branch of each request

            Path database = receiver.stateDir().resolve("usage.db");
            JsonNode sessions = report(database, "session");
            assertEquals(runs.size(), sessions.path("sessions").size(), sessions.toString());
            for (Run run : runs) {
                JsonNode session = find(sessions.path("sessions"), "sessionId", run.session());
                assertEquals(run.tokens(), session.path("totalTokens").asLong(), "tokens served: " + run);
                assertEquals(cents(run.cost()), cents(session.path("totalCost").decimalValue()),
                        "Claude Code's own cost: " + run + " vs " + session);
                assertEquals(session.path("totalCost").decimalValue(), session.path("exactCost").decimalValue(),
                        "all exact");
                assertEquals(List.of(run.branch()), JSON.convertValue(session.path("branches"), List.class));
                assertTrue(session.path("projectPath").asText().endsWith("/" + run.project()), session.toString());
            }

            JsonNode projects = report(database, "project");
            JsonNode branches = report(database, "branch");
            for (String project : List.of("alpha", "beta")) {
                JsonNode row = findEndingWith(projects.path("projects"), "project", "/" + project);
                assertEquals(sum(runs, run -> run.project().equals(project)), row.path("totalTokens").asLong());
            }
            for (String branch : List.of("main", "feature/x")) {
                JsonNode row = find(branches.path("branches"), "branch", branch);
                assertEquals(sum(runs, run -> run.branch().equals(branch)), row.path("totalTokens").asLong());
            }
            JsonNode alphaOnly = report(database, "branch", "--project", "alpha");
            assertEquals(2, alphaOnly.path("branches").size(), alphaOnly.toString());

            JsonNode daily = report(database, "daily");
            assertEquals(api.servedTotal(), daily.path("totals").path("totalTokens").asLong(),
                    "every token the stand-in served, once");
            assertEquals(api.served(0), daily.path("totals").path("inputTokens").asLong());
            assertEquals(api.served(1), daily.path("totals").path("outputTokens").asLong());
            assertEquals(api.served(2), daily.path("totals").path("cacheReadTokens").asLong());
            assertEquals(api.served(3), daily.path("totals").path("cacheCreationTokens").asLong());
            BigDecimal cost = runs.stream().map(Run::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertEquals(cents(cost), cents(daily.path("totals").path("totalCost").decimalValue()));
            assertEquals(0, daily.path("totals").path("unpricedRequests").asLong());
            for (String other : List.of("weekly", "monthly", "model", "agent", "hourly", "blocks")) {
                JsonNode totals = report(database, other).path("totals");
                assertEquals(api.servedTotal(), totals.path("totalTokens").asLong(), other);
                assertEquals(cents(cost), cents(totals.path("totalCost").decimalValue()), other);
            }
            JsonNode models = report(database, "model").path("models");
            assertEquals(api.servedTotal(), models.get(0).path("totalTokens").asLong(), "one model: " + models);
        }
    }

    /**
     * The CLI's JSON total is a binary double (4.983999999999999 for telemetry's 4.984): compared to a billionth
     * of a cent.
     */
    private static BigDecimal cents(BigDecimal usd) {
        return usd.setScale(11, java.math.RoundingMode.HALF_UP);
    }

    private static long sum(List<Run> runs, java.util.function.Predicate<Run> which) {
        return runs.stream().filter(which).mapToLong(Run::tokens).sum();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (node.path(field).asText().equals(value)) {
                return node;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + array);
    }

    private static JsonNode findEndingWith(JsonNode array, String field, String suffix) {
        for (JsonNode node : array) {
            if (node.path(field).asText().endsWith(suffix)) {
                return node;
            }
        }
        throw new AssertionError("no " + field + " ending with " + suffix + " in " + array);
    }

    private static JsonNode report(Path database, String... args) throws Exception {
        var arguments = new ArrayList<>(List.of(args));
        arguments.addAll(List.of("--json", "--timezone", "UTC", "--db", database.toString()));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(arguments, Map.of(), Instant.now(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return JSON.readTree(out.toByteArray());
    }

    private Path repository(String name, String branch) throws Exception {
        Path directory = Files.createDirectories(home.resolve(name));
        git(directory, "init", "-q", "-b", branch);
        git(directory, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start");
        return directory;
    }

    private static void git(Path directory, String... arguments) throws Exception {
        var command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0, "git: " + output);
    }

    /** {@code claude -p "say hi"} in the directory, telemetry to the receiver; what the stand-in served it. */
    private Run run(Path claude, StandInMessagesApi api, RunningReceiver receiver, Path directory, String branch)
            throws Exception {
        long before = api.servedTotal();
        JsonNode result = ClaudeCodeCli.print(claude, home, directory, api.baseUrl(), receiver.port(), "say hi",
                Map.of());
        String session = result.path("session_id").asText();
        // the session's requests are in the ledger once the receiver has published every export so far
        receiver.awaitPublished();
        return new Run(directory.getFileName().toString(), branch, session, api.servedTotal() - before,
                result.path("total_cost_usd").decimalValue());
    }
}
