package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.aggregate.SessionReport;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.Usage;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.publish.BlockReport;
import dev.tokenmetrics.receiver.publish.LiveFile;
import dev.tokenmetrics.receiver.publish.MetricsFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/claude-statusline's awk fast path (docs/STATUSLINE.md) prints exactly what the Java program prints, for
 * every awk on the machine, and hands anything it is not sure of to the Java program. The fast path alone is a copy
 * of the script without the rest of the installation beside it: its fallback cannot find Java and prints nothing, so
 * a line from it was rendered by awk.
 */
class StatuslineFastPathTest {

    private static final String SESSION = "3e3f7079-bce4-48ab-a257-1faa7f1d3ed2";
    private static final String BIG = "b1g-5e55i0n";
    private static final String ODD = "odd-model-session";
    private static final Path JAR = Shell.REPO.resolve("statusline/target/claude-statusline.jar");
    private static final String REAL_STDIN = readReference();

    @TempDir
    Path home;
    private Path fastOnly;
    private Path metrics;

    private static String readReference() {
        // The real stdin's shape (cc-2.1.330), kept here: the project never depends on /work/shared at build time.
        return "{\"session_id\":\"" + SESSION + "\",\"transcript_path\":\"/nonexistent/t.jsonl\",\"cwd\":\"/home/user/proj\","
                + "\"prompt_id\":\"1629d63b\",\"effort\":{\"level\":\"medium\"},"
                + "\"model\":{\"id\":\"claude-opus-5-5\",\"display_name\":\"Opus 5.5\"},"
                + "\"workspace\":{\"current_dir\":\"/home/user/proj\",\"project_dir\":\"/home/user/proj\",\"added_dirs\":[]},"
                + "\"version\":\"2.1.330\",\"output_style\":{\"name\":\"default\"},"
                + "\"cost\":{\"total_cost_usd\":0.1512,\"total_duration_ms\":16387,\"total_api_duration_ms\":47,"
                + "\"total_lines_added\":0,\"total_lines_removed\":0},"
                + "\"context_window\":{\"total_input_tokens\":3971,\"total_output_tokens\":43,\"context_window_size\":1000000,"
                + "\"current_usage\":{\"input_tokens\":3011,\"output_tokens\":43,\"cache_creation_input_tokens\":60,"
                + "\"cache_read_input_tokens\":900},\"used_percentage\":41.5,\"remaining_percentage\":58.5},"
                + "\"exceeds_200k_tokens\":false,\"prompt_cache\":{\"warm\":true,\"ttl\":\"5m\",\"expires_at\":1795416688,"
                + "\"hit_ratio\":0.22664316293125158,\"last_miss_at\":null,\"miss_causes\":{}},"
                + "\"fast_mode\":false,\"thinking\":{\"enabled\":true}}";
    }

    @BeforeEach
    void setUp() throws IOException {
        Path bin = Files.createDirectories(home.resolve("fast-only"));
        fastOnly = bin.resolve("claude-statusline");
        Files.copy(Shell.SCRIPTS.resolve("claude-statusline"), fastOnly);
        metrics = home.resolve(".claude/token-metrics.json");
        publish(Instant.now());
    }

    /** The real script's first render records its start-up cache in the background: let it finish. */
    @AfterEach
    void awaitTheBackgroundRecording() throws InterruptedException {
        Path lock = home.resolve(".cache/claude-token-metrics/statusline.lock");
        for (int i = 0; i < 600 && Files.exists(lock); i++) {
            Thread.sleep(100);
        }
    }

    /**
     * The machine's 5-hour block: $4.10 so far, $9.80 by its end, which is a whole second (as a real block's hour
     * is) 2 h 12 min 30 s after the second of {@code at}, so that both paths, run within 30 s, show 2h13m left.
     */
    private static BlockReport block(Instant at) {
        return block(at, Duration.ofMinutes(132).plusSeconds(30), "4.1", "9.8");
    }

    private static BlockReport block(Instant at, Duration left, String cost, String projected) {
        Instant end = at.truncatedTo(ChronoUnit.SECONDS).plus(left);
        Instant start = end.minus(Duration.ofHours(5));
        return new BlockReport(start, end, start.plusSeconds(60), at.minusSeconds(5),
                new TokenCounts(1_000, 200, 30_000, 4_000), cost == null ? null : new BigDecimal(cost), 99_999,
                projected == null ? null : new BigDecimal(projected));
    }

    /** Both files from one report, by the receiver's own writers. */
    private void publish(Instant at) throws IOException {
        publish(at, StatuslineFastPathTest::block);
    }

    private void publish(Instant at, Function<Instant, BlockReport> block) throws IOException {
        Files.createDirectories(metrics.getParent());
        var sessions = List.of(
                session(SESSION, new TokenCounts(50_000, 4_000, 200, 31), "0.1512", 850, "claude-opus-4-1", at),
                session(BIG, new TokenCounts(9_000_000_000L, 3_345_678_901L, 1, 0), "1234.5678", 1_234_567,
                        "claude-opus-4-1", at.minusSeconds(1)),
                session(ODD, new TokenCounts(1, 0, 0, 0), "0.004999", 0, "  ", at.minusSeconds(2)));
        var report = new UsageReport(at, sessions, LocalDate.now(), new Usage(TokenCounts.ZERO, new BigDecimal("0.3549")));
        new MetricsFile(metrics).write(report, block.apply(at));
        new LiveFile(LiveFile.besideMetricsFile(metrics)).write(report, block.apply(at));
    }

    private static SessionReport session(String id, TokenCounts tokens, String cost, long perMinute, String model,
                                         Instant last) {
        var usage = new Usage(tokens, new BigDecimal(cost));
        return new SessionReport(id, usage, Map.of(model, usage), model, last.minusSeconds(600), last, perMinute, 3,
                Map.of());
    }

    private record Run(int exitCode, String out) {
    }

    private Run run(List<String> command, Map<String, String> env, String stdin) throws Exception {
        var builder = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", System.getenv("PATH"));
        environment.put("HOME", home.toString());
        environment.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        environment.put("TERM", "xterm-256color");
        environment.putAll(env);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a path that does not read stdin (an option error) closed it
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        return new Run(process.exitValue(), out);
    }

    /** The reference: the Java program itself. */
    private String java(List<String> args, Map<String, String> env, String stdin) throws Exception {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", JAR.toString(), "dev.tokenmetrics.statusline.Main"));
        command.addAll(args);
        return run(command, env, stdin).out();
    }

    /** The fast path alone, with the given awk (CLAUDE_STATUSLINE_AWK). */
    private Run fast(String awk, List<String> args, Map<String, String> env, String stdin) throws Exception {
        var command = new ArrayList<>(List.of("/bin/sh", fastOnly.toString()));
        command.addAll(args);
        var withAwk = new LinkedHashMap<>(env);
        withAwk.putIfAbsent("CLAUDE_STATUSLINE_AWK", awk);
        withAwk.put("XDG_CACHE_HOME", home.resolve("fast-only/cache").toString()); // never a launch file: no Java
        return run(command, withAwk, stdin);
    }

    /** The system's awk and every other one installed: mawk, gawk, busybox awk, BSD awk. */
    private static List<String> awks() {
        var found = new ArrayList<String>();
        var seen = new ArrayList<Path>();
        for (String candidate : List.of("/usr/bin/awk", "/usr/bin/mawk", "/usr/bin/gawk", "/usr/bin/original-awk",
                "/usr/bin/busybox", "/bin/busybox")) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path) && seen.stream().noneMatch(p -> sameFile(p, path))) {
                seen.add(path);
                found.add(path.getFileName().toString().equals("busybox") ? candidate + " awk" : candidate);
            }
        }
        assertFalse(found.isEmpty(), "no awk on this machine");
        return found;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, String> env(String... pairs) {
        var env = new LinkedHashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private record Case(String stdin, List<String> args, Map<String, String> env) {
    }

    private static List<Case> matrix() {
        String all = "model,cost,today,tokens,burn,hourly,context,block";
        var stdins = List.of(
                REAL_STDIN, // actual: the receiver has what Claude Code says was spent
                REAL_STDIN.replace("0.1512,", "0.2,"), // pending: Claude Code's cost is ahead
                REAL_STDIN.replace("0.1512,", "0.1512009,"), // within a micro-dollar: actual
                REAL_STDIN.replace("\"total_cost_usd\":0.1512,", ""), // no cost from Claude Code
                REAL_STDIN.replace("16387", "5400000").replace("41.5", "99.5"), // 1.5 h; context nearly full
                REAL_STDIN.replace("\"display_name\":\"Opus 5.5\"", "\"display_name\":null"), // the model's id
                REAL_STDIN.replace("\"model\":{\"id\":\"claude-opus-5-5\",\"display_name\":\"Opus 5.5\"}",
                        "\"model\":{\"display_name\":\"   \"}"), // blank: the receiver's model
                REAL_STDIN.replace("\"used_percentage\":41.5", "\"used_percentage\":null")
                        .replace(SESSION, BIG).replace("0.1512,", "1234.5678,"), // big numbers
                REAL_STDIN.replace(SESSION, ODD).replace("\"model\":{\"id\":\"claude-opus-5-5\",\"display_name\":\"Opus 5.5\"}",
                        "\"model\":null").replace("0.1512,", "0.004999,"), // blank session model: the file's
                REAL_STDIN.replace(",\"", ",\n  \"").replace("{\"", "{\n  \""), // pretty-printed
                REAL_STDIN.replace("\"cwd\":\"/home/user/proj\"", "\"cwd\":\"C:\\\\Users\\\\\\\"q\\\" \\u00e9\"")
                        .replace("\"name\":\"default\"", "\"name\":\"d\u00e9faut \u2603\""), // escapes, UTF-8 elsewhere
                REAL_STDIN.replace("Opus 5.5", "  Opus-4.1 [1m] (beta) %s & $1 ' "), // an odd model name
                "{\"session_id\":\"" + SESSION + "\"}"); // nothing else
        var options = List.of(
                new Case(null, List.of(), env()),
                new Case(null, List.of("--format", all), env()),
                new Case(null, List.of("--format", "hourly,burn,today,cost,context,cost"), env()),
                new Case(null, List.of("--format", all, "--daily-budget", "1"), env()), // under 80 %
                new Case(null, List.of("--daily-budget", "0.44"), env()), // over 80 %: yellow
                new Case(null, List.of("--daily-budget", "0.3549"), env()), // at the budget: red ⚠
                new Case(null, List.of("--daily-budget", "0.1"), env("NO_COLOR", "1")), // over, no colour
                new Case(null, List.of("--daily-budget", "0.44"), env("TERM", "dumb")),
                new Case(null, List.of("--daily-budget", "0.1", "--color", "always"), env("NO_COLOR", "1")),
                new Case(null, List.of("--color", "never"), env("CLAUDE_TOKEN_DAILY_BUDGET", "0.2")),
                new Case(null, List.of("--max-age", "600", "--metrics-file", "METRICS"), env()));
        var cases = new ArrayList<Case>();
        for (String stdin : stdins) {
            for (Case option : options) {
                cases.add(new Case(stdin, option.args(), option.env()));
            }
        }
        return cases;
    }

    private List<String> resolve(List<String> args) {
        return args.stream().map(arg -> arg.equals("METRICS") ? metrics.toString() : arg).toList();
    }

    @Test
    void everyAwkRendersExactlyWhatTheJavaProgramRenders() throws Exception {
        List<String> awks = awks();
        List<Case> cases = matrix();
        for (Case c : cases) {
            publish(Instant.now()); // the block's time left stays 30 s from a minute's turn while this case runs
            List<String> args = resolve(c.args());
            String expected = java(args, c.env(), c.stdin());
            for (String awk : awks) {
                Run fast = fast(awk, args, c.env(), c.stdin());
                assertEquals(expected, fast.out(), awk + " " + args + " " + c.env() + "\n" + c.stdin());
                assertEquals(0, fast.exitCode(), awk + " " + args);
            }
        }
    }

    @Test
    void theBlockSegmentRendersTheSameOnBothPaths() throws Exception {
        var blocks = new LinkedHashMap<String, Function<Instant, BlockReport>>();
        blocks.put("priced", StatuslineFastPathTest::block);
        blocks.put("unpriced", at -> block(at, Duration.ofMinutes(44).plusSeconds(30), null, null));
        blocks.put("a few seconds left", at -> block(at, Duration.ofSeconds(40), "0.004", "0.005"));
        blocks.put("a whole 5 hours left", at -> block(at, Duration.ofHours(5), "12345.675", "99999.5"));
        blocks.put("ended", at -> block(at, Duration.ofSeconds(-1), "4.1", "4.1"));
        blocks.put("none", at -> null);
        var options = List.of(
                new Case(null, List.of("--format", "block"), env()),
                new Case(null, List.of("--format", "block,model,cost,today,burn,hourly"), env()),
                new Case(null, List.of("--format", "cost,today,block", "--daily-budget", "0.1"), env()),
                new Case(null, List.of("--format", "today,block", "--daily-budget", "0.3"), env("NO_COLOR", "1")),
                new Case(null, List.of("--format", "today,block", "--daily-budget", "0.3", "--color", "always"),
                        env("TERM", "dumb")));
        List<String> awks = awks();
        for (var entry : blocks.entrySet()) {
            for (Case c : options) {
                publish(Instant.now(), entry.getValue());
                String expected = java(c.args(), c.env(), REAL_STDIN);
                assertEquals(!entry.getKey().equals("none") && !entry.getKey().equals("ended"),
                        expected.contains("⏳"), entry.getKey() + ": " + expected);
                for (String awk : awks) {
                    Run fast = fast(awk, c.args(), c.env(), REAL_STDIN);
                    assertEquals(expected, fast.out(), entry.getKey() + " " + awk + " " + c.args() + " " + c.env());
                }
            }
        }
    }

    @Test
    void theFastPathRendersTheNewSegmentsAsDocumented() throws Exception {
        Run fast = fast(awks().get(0), List.of("--format", "model,burn,hourly,context"), env(),
                REAL_STDIN.replace("16387", "1800000"));
        assertEquals("🤖 Opus 5.5 | 🔥 850 tok/min / $0.30/h | 🧠 42% context\n", fast.out());
        Run block = fast(awks().get(0), List.of("--format", "model,block"), env(), REAL_STDIN);
        assertEquals("🤖 Opus 5.5 | ⏳ 2h13m left · $4.10 → $9.80\n", block.out());
    }

    @Test
    void anythingTheFastPathIsNotSureOfGoesToTheJavaProgramWithTheSameStdin() throws Exception {
        String awk = awks().get(0);
        Path script = Shell.SCRIPTS.resolve("claude-statusline");
        var declined = new LinkedHashMap<String, Case>();
        declined.put("tracking disabled", new Case(REAL_STDIN, List.of(), env("CLAUDE_TOKEN_TRACKING", "0")));
        declined.put("session not in the live file",
                new Case(REAL_STDIN.replace(SESSION, "another-session"), List.of(), env()));
        declined.put("an escape in a value it reads",
                new Case(REAL_STDIN.replace("Opus 5.5", "Opus\\u0020 5.5"), List.of(), env()));
        declined.put("a model name beyond ASCII", new Case(REAL_STDIN.replace("Opus 5.5", "Öpus 5.5"), List.of(), env()));
        declined.put("an option it does not know", new Case(REAL_STDIN, List.of("--colour", "never"), env()));
        declined.put("a budget in another notation", new Case(REAL_STDIN, List.of("--daily-budget", "1e-1"), env()));
        declined.put("--help", new Case(REAL_STDIN, List.of("--help"), env()));
        declined.put("an awk that is not installed",
                new Case(REAL_STDIN, List.of(), env("CLAUDE_STATUSLINE_AWK", "/nonexistent/awk")));
        declined.put("malformed stdin", new Case("{\"session_id\":\"" + SESSION + "\",", List.of(), env()));
        declined.put("no stdin", new Case("", List.of(), env()));
        for (var entry : declined.entrySet()) {
            Case c = entry.getValue();
            assertEquals("", fast(awk, c.args(), c.env(), c.stdin()).out(), entry.getKey() + ": declined by awk");
            String expected = java(c.args(), c.env(), c.stdin());
            assertEquals(expected, run(withArgs(script, c.args()), c.env(), c.stdin()).out(), entry.getKey());
        }
    }

    @Test
    void aStaleOrMissingLiveFileGoesToTheJavaProgram() throws Exception {
        String awk = awks().get(0);
        Path script = Shell.SCRIPTS.resolve("claude-statusline");
        publish(Instant.now().minusSeconds(120));
        assertEquals("", fast(awk, List.of(), env(), REAL_STDIN).out(), "stale: declined by awk");
        String stale = java(List.of(), env(), REAL_STDIN);
        assertFalse(stale.contains("(actual)"), stale);
        assertFalse(java(List.of("--format", "block"), env(), REAL_STDIN).contains("⏳"), "nor a stale block");
        assertEquals(stale, run(withArgs(script, List.of()), env(), REAL_STDIN).out());
        assertTrue(fast(awk, List.of("--max-age", "300"), env(), REAL_STDIN).out().contains("(actual)"),
                "within a longer --max-age: fresh");

        publish(Instant.now());
        Files.delete(LiveFile.besideMetricsFile(metrics));
        assertEquals("", fast(awk, List.of(), env(), REAL_STDIN).out(), "no live file: declined");
        String fresh = java(List.of(), env(), REAL_STDIN);
        assertTrue(fresh.contains("(actual)"), fresh);
        assertEquals(fresh, run(withArgs(script, List.of()), env(), REAL_STDIN).out());
    }

    private static List<String> withArgs(Path script, List<String> args) {
        var command = new ArrayList<>(List.of("/bin/sh", script.toString()));
        command.addAll(args);
        return command;
    }
}
