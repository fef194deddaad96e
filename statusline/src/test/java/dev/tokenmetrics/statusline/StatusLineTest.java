package dev.tokenmetrics.statusline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every output case of the statusline, through the same entry point Claude Code uses. */
class StatusLineTest {

    static final String SESSION = "3e3f7079-bce4-48ab-a257-1faa7f1d3ed2";
    static final long NOW = Times.parseIsoMillis("2026-11-25T10:00:00.000Z");
    static final String FRESH = "🤖 Opus 4.1 | 💰 $0.15 session / $0.35 today | 📊 54,231 tokens (actual) | 🔥 850 tok/min";

    @TempDir
    Path home;
    private Path transcript;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        env.put("HOME", home.toString());
        env.put("TERM", "xterm-256color");
        transcript = home.resolve(".claude/projects/-proj/" + SESSION + ".jsonl");
        Files.createDirectories(transcript.getParent());
        Files.writeString(transcript, Transcripts.assistant("msg_1", "req_1", 50_000, 2_000, 0, 100)
                + Transcripts.assistant("msg_2", "req_2", 0, 0, 0, 0)); // 52,100 tokens
    }

    String stdin() {
        return "{\"session_id\":\"" + SESSION + "\",\"transcript_path\":\"" + transcript + "\",\"cwd\":\"/proj\","
                + "\"model\":{\"id\":\"claude-opus-4-1\",\"display_name\":\"Opus 4.1\"},\"version\":\"2.1.331\","
                + "\"cost\":{\"total_cost_usd\":0.1512,\"total_duration_ms\":16387}}";
    }

    void metricsFile(String timestamp) throws IOException {
        metricsFile(timestamp, "0.1512");
    }

    /** The receiver's view, with the session's cost as the receiver has it (Claude Code's own, on stdin: 0.1512). */
    void metricsFile(String timestamp, String sessionCost) throws IOException {
        Files.createDirectories(home.resolve(".claude"));
        Files.writeString(home.resolve(".claude/token-metrics.json"), "{\"schemaVersion\":1,\"timestamp\":\"" + timestamp
                + "\",\"totals\":{\"input\":1},\"totalUsed\":1,\"model\":\"claude-opus-4-1\","
                + "\"today\":{\"date\":\"2026-11-25\",\"tokens\":{\"total\":99},\"costUsd\":0.3549},"
                + "\"sessions\":{\"someone-else\":{\"tokens\":{\"input\":7,\"total\":7},\"costUsd\":9},"
                + "\"" + SESSION + "\":{\"tokens\":{\"input\":50000,\"output\":4000,\"cacheRead\":200,\"cacheCreation\":31,"
                + "\"total\":54231},\"costUsd\":" + sessionCost + ",\"models\":{},\"model\":\"claude-opus-4-1\","
                + "\"tokensPerMinute\":850,\"resource\":{}}}}");
    }

    String line(String... args) {
        return lineFor(stdin(), args);
    }

    String lineFor(String stdin, String... args) {
        return Main.run(args, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), NOW);
    }

    @Test
    void freshMetricsShowActualTokensCostTodayAndBurnRate() throws IOException {
        metricsFile("2026-11-25T09:59:45.144Z");
        assertEquals(FRESH, line());
    }

    @Test
    void todayIsFoundWhereverTheFileHasIt() throws IOException {
        metricsFile("2026-11-25T09:59:45.144Z");
        Path file = home.resolve(".claude/token-metrics.json");
        String json = Files.readString(file);
        String today = "\"today\":{\"date\":\"2026-11-25\",\"tokens\":{\"total\":99},\"costUsd\":0.3549},";
        String todayLast = json.replace(today, "");
        todayLast = todayLast.substring(0, todayLast.length() - 1) + "," + today.substring(0, today.length() - 1) + "}";
        Files.writeString(file, todayLast);
        assertEquals(FRESH, line());
    }

    @Test
    void aReceiverBehindClaudeCodesOwnCostIsPendingNotActualAndNeverShowsLess() throws IOException {
        metricsFile("2026-11-25T09:59:45.144Z", "0.1400"); // an export not yet in, or missed in an outage
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session / $0.35 today | 📊 54,231 tokens (pending) | 🔥 850 tok/min",
                line());
    }

    @Test
    void aReceiverThatAgreesWithClaudeCodeToAMicroDollarIsActual() throws IOException {
        metricsFile("2026-11-25T09:59:45.144Z", "0.1511995"); // rounding, not a missing request
        assertEquals(FRESH, line());
    }

    @Test
    void withoutClaudeCodesCostTheReceiversFreshFiguresStand() throws IOException {
        metricsFile("2026-11-25T09:59:45.144Z", "0.1400");
        String noCost = stdin().replace(",\"cost\":{\"total_cost_usd\":0.1512,\"total_duration_ms\":16387}", "");
        assertEquals("🤖 Opus 4.1 | 💰 $0.14 session / $0.35 today | 📊 54,231 tokens (actual) | 🔥 850 tok/min",
                lineFor(noCost));
    }

    @Test
    void staleMetricsFallBackToClaudeCodesCostAndTheTranscriptEstimate() throws IOException {
        metricsFile("2026-11-25T09:58:59.999Z"); // 60.001 s old
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
    }

    @Test
    void maxAgeIsAnOption() throws IOException {
        metricsFile("2026-11-25T09:58:00Z");
        assertEquals(FRESH, line("--max-age", "180"));
    }

    @Test
    void aMissingFileFallsBack() {
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
    }

    @Test
    void aCorruptFileFallsBack() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        Path file = home.resolve(".claude/token-metrics.json");
        Files.writeString(file, Files.readString(file).substring(0, 200));
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
        Files.writeString(file, "\u0000\u0001garbage");
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
    }

    @Test
    void aHugeFileIsNotRead() throws IOException {
        Files.createDirectories(home.resolve(".claude"));
        try (var file = new RandomAccessFile(home.resolve(".claude/token-metrics.json").toFile(), "rw")) {
            file.setLength(Main.MAX_METRICS_BYTES + 1L);
        }
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
    }

    @Test
    void aFileFromTheFutureBeyondFiveSecondsIsStale() throws IOException {
        metricsFile("2026-11-25T10:00:04.900Z");
        assertEquals(FRESH, line(), "within the allowed skew");
        metricsFile("2026-11-25T10:00:05.100Z");
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
    }

    @Test
    void theEmergencyToggleIgnoresTheFile() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        env.put("CLAUDE_TOKEN_TRACKING", "0");
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
    }

    @Test
    void aSessionTheFileDoesNotListFallsBack() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        String other = stdin().replace("\"session_id\":\"" + SESSION, "\"session_id\":\"not-in-the-file");
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", lineFor(other));
    }

    @Test
    void theDailyBudgetColoursTodaysCost() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        assertEquals(FRESH, line("--daily-budget", "1"), "under 80 %: plain");
        assertEquals(FRESH.replace("$0.35 today", "\u001b[33m$0.35 today\u001b[0m"), line("--daily-budget", "0.44"));
        assertEquals(FRESH.replace("$0.35 today", "\u001b[31m⚠ $0.35 today\u001b[0m"), line("--daily-budget", "0.35"));
        env.put("CLAUDE_TOKEN_DAILY_BUDGET", "0.30");
        assertEquals(FRESH.replace("$0.35 today", "\u001b[31m⚠ $0.35 today\u001b[0m"), line(), "from the environment");
    }

    @Test
    void noColorKeepsTheWarningSignButDropsTheColour() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        env.put("NO_COLOR", "1");
        assertEquals(FRESH.replace("$0.35 today", "$0.35 today"), line("--daily-budget", "0.44"));
        assertEquals(FRESH.replace("$0.35 today", "⚠ $0.35 today"), line("--daily-budget", "0.35"));
        env.remove("NO_COLOR");
        assertEquals(FRESH.replace("$0.35 today", "⚠ $0.35 today"), line("--daily-budget", "0.35", "--color", "never"));
    }

    @Test
    void templatesChooseAndOrderSegments() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        assertEquals("📊 54,231 tokens (actual) | 🤖 Opus 4.1", line("--format", "tokens,model"));
        assertEquals("🔥 850 tok/min | 💰 $0.35 today", line("--format", "burn, today"));
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session", line("--format", "model,cost"));
        assertEquals("⚠ claude-statusline: unknown segment 'price' in --format; use "
                + "model,cost,today,tokens,burn,hourly,context,block", line("--format", "model,price"));
    }

    @Test
    void costPerHourStandsBesideTheBurnRateOverTheSessionsWallClockTime() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        String halfAnHour = stdin().replace("\"total_duration_ms\":16387", "\"total_duration_ms\":1800000");
        assertEquals("🔥 850 tok/min / $0.30/h", lineFor(halfAnHour, "--format", "burn,hourly"));
        assertEquals("🔥 $0.30/h | 🔥 850 tok/min", lineFor(halfAnHour, "--format", "hourly,burn"));
        assertEquals("🔥 $9.07/h", line("--format", "hourly"), "16 s old: taken over one minute, not 16 s");
        metricsFile("2026-11-25T09:00:00Z");
        assertEquals("🔥 $0.30/h", lineFor(halfAnHour, "--format", "burn,hourly"), "stale: Claude Code's cost");
        assertEquals("🤖 Opus 4.1", lineFor(stdin().replace(",\"total_duration_ms\":16387", ""), "--format",
                "model,hourly"), "no duration, no rate");
    }

    @Test
    void contextWindowUseIsClaudeCodesOwnPercentage() {
        String stdin = stdin().replace("\"version\"", "\"context_window\":{\"total_input_tokens\":3971,"
                + "\"context_window_size\":200000,\"used_percentage\":41.5,\"remaining_percentage\":58.5},\"version\"");
        assertEquals("🤖 Opus 4.1 | 🧠 42% context", lineFor(stdin, "--format", "model,context"));
        assertEquals("🤖 Opus 4.1", lineFor(stdin.replace("41.5", "null"), "--format", "model,context"));
        assertEquals("🤖 Opus 4.1", line("--format", "model,context"), "no context_window: left out");
    }

    /** The metrics file with the machine's active 5-hour block ({@code block}: its JSON) before the sessions. */
    void metricsFileWithBlock(String timestamp, String block) throws IOException {
        metricsFile(timestamp);
        Path file = home.resolve(".claude/token-metrics.json");
        Files.writeString(file, Files.readString(file).replace(",\"sessions\":", ",\"block\":" + block
                + ",\"sessions\":"));
    }

    static String block(String end, String cost, String projected) {
        return "{\"start\":\"2026-11-25T07:00:00Z\",\"end\":\"" + end + "\",\"firstRequest\":\"2026-11-25T07:12:00Z\","
                + "\"lastRequest\":\"2026-11-25T09:59:40Z\",\"tokens\":{\"input\":1,\"output\":2,\"cacheRead\":3,"
                + "\"cacheCreation\":4,\"total\":10},\"costUsd\":" + cost + ",\"projectedTokens\":20,"
                + "\"projectedCostUsd\":" + projected + "}";
    }

    @Test
    void theBlockShowsTimeLeftAndItsCostSoFarAndProjectedToItsEnd() throws IOException {
        metricsFileWithBlock("2026-11-25T09:59:45Z", block("2026-11-25T12:12:30Z", "4.1", "9.795"));
        assertEquals("🤖 Opus 4.1 | ⏳ 2h13m left · $4.10 → $9.80", line("--format", "model,block"),
                "2 h 12 min 30 s left: whole minutes, rounded up");
        assertEquals(FRESH, line(), "not in the default line");
    }

    @Test
    void theBlocksTimeLeftCountsDownToItsEnd() throws IOException {
        String[][] cases = {
            {"2026-11-25T13:05:00Z", "3h05m"},
            {"2026-11-25T11:00:00Z", "1h00m"},
            {"2026-11-25T10:59:59.999Z", "1h00m"},
            {"2026-11-25T10:45:00Z", "45m"},
            {"2026-11-25T10:01:00.001Z", "2m"},
            {"2026-11-25T10:01:00Z", "1m"},
            {"2026-11-25T10:00:00.001Z", "1m"},
        };
        for (String[] c : cases) {
            metricsFileWithBlock("2026-11-25T09:59:45Z", block(c[0], "0.5", "1"));
            assertEquals("⏳ " + c[1] + " left · $0.50 → $1.00", line("--format", "block"), c[0]);
        }
        metricsFileWithBlock("2026-11-25T09:59:45Z", block("2026-11-25T10:00:00Z", "0.5", "1"));
        assertEquals("", line("--format", "block"), "a block that has ended is not shown");
    }

    @Test
    void anUnpricedBlockShowsTimeLeftWithoutACost() throws IOException {
        metricsFileWithBlock("2026-11-25T09:59:45Z", block("2026-11-25T12:00:00Z", "null", "null"));
        assertEquals("🤖 Opus 4.1 | ⏳ 2h00m left", line("--format", "model,block"));
    }

    @Test
    void noBlockOrAStaleFileIsNoBlockSegment() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        assertEquals("🤖 Opus 4.1", line("--format", "model,block"), "no block in the file: no use in 5 hours");
        metricsFileWithBlock("2026-11-25T09:58:59.999Z", block("2026-11-25T12:00:00Z", "4.1", "9.8"));
        assertEquals("🤖 Opus 4.1", line("--format", "model,block"), "stale: the receiver may have missed use");
        metricsFileWithBlock("2026-11-25T10:00:05.001Z", block("2026-11-25T12:00:00Z", "4.1", "9.8"));
        assertEquals("🤖 Opus 4.1", line("--format", "model,block"), "from the future");
        env.put("CLAUDE_TOKEN_TRACKING", "0");
        metricsFileWithBlock("2026-11-25T09:59:45Z", block("2026-11-25T12:00:00Z", "4.1", "9.8"));
        assertEquals("🤖 Opus 4.1", line("--format", "model,block"), "tracking off");
    }

    @Test
    void theBlockIsTheMachinesSoItShowsBeforeTheReceiverListsTheSession() throws IOException {
        metricsFileWithBlock("2026-11-25T09:59:45Z", block("2026-11-25T12:00:00Z", "4.1", "9.8"));
        String newSession = stdin().replace(SESSION, "a-session-not-yet-exported");
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | ⏳ 2h00m left · $4.10 → $9.80",
                lineFor(newSession, "--format", "model,cost,block"));
    }

    @Test
    void theModelFallsBackToItsIdThenToTheFile() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        assertEquals("🤖 claude-opus-4-1", lineFor(stdin().replace("\"display_name\":\"Opus 4.1\"", "\"display_name\":null"),
                "--format", "model"));
        assertEquals("🤖 claude-opus-4-1", lineFor("{\"session_id\":\"" + SESSION + "\"}", "--format", "model"));
    }

    @Test
    void missingOrMalformedStdinStillPrintsALine() {
        assertEquals("🤖 Claude Code", lineFor(""), "no stdin at all: a generic line, no figures");
        assertEquals("🤖 Claude Code", lineFor("{\"model\": [1,2", "--format", "model"));
        assertEquals("🤖 Opus 4.1", lineFor("{\"model\":{\"display_name\":\"Opus 4.1\"},\"cost\":null,\"session_id\":null}"));
    }

    @Test
    void nullsAndWrongTypesAreOmittedNotInvented() {
        assertEquals("🤖 Opus 4.1", lineFor("{\"model\":{\"display_name\":\"Opus 4.1\"},\"cost\":{\"total_cost_usd\":\"lots\"},"
                + "\"transcript_path\":7}"));
    }

    @Test
    void anUnreadableHomeStillRenders() {
        env.put("HOME", "/nonexistent/home");
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
        env.remove("HOME");
        assertEquals("🤖 Opus 4.1 | 💰 $0.15 session | 52,100 tokens", line());
    }

    @Test
    void anUnexpectedFailureShowsTheLastGoodLineForTheSession() throws IOException {
        metricsFile("2026-11-25T09:59:45Z");
        assertEquals(FRESH, line());
        Main.Renderer failing = (input, options, now) -> {
            throw new IllegalStateException("a bug we did not foresee");
        };

        String shown = Main.run(new String[0], env, new ByteArrayInputStream(stdin().getBytes(StandardCharsets.UTF_8)),
                NOW, failing);

        assertEquals(FRESH, shown);
    }

    @Test
    void anUnexpectedFailureWithNoLineYetShowsTheModelAlone() {
        Main.Renderer failing = (input, options, now) -> {
            throw new OutOfMemoryError("simulated");
        };
        assertEquals("🤖 Opus 4.1", Main.run(new String[0], env,
                new ByteArrayInputStream(stdin().getBytes(StandardCharsets.UTF_8)), NOW, failing));
    }

    @Test
    void badOptionsAreReportedOnTheLineItself() {
        assertEquals("⚠ claude-statusline: unknown option --bogus", line("--bogus"));
        assertEquals("⚠ claude-statusline: --color takes auto, always or never", line("--color", "sometimes"));
        assertEquals("⚠ claude-statusline: --max-age takes a number of seconds", line("--max-age", "soon"));
    }

    @Test
    void dollarsAndThousands() {
        assertEquals("$0.15", Numbers.dollars(0.149));
        assertEquals("$0.00", Numbers.dollars(0.004));
        assertEquals("$0.01", Numbers.dollars(0.005));
        assertEquals("$1,234.50", Numbers.dollars(1234.5));
        assertEquals("54,231", Numbers.grouped(54231));
        assertEquals("999", Numbers.grouped(999));
        assertEquals("1,000,000", Numbers.grouped(1_000_000));
    }
}
