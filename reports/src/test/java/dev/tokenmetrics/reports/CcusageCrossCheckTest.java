package dev.tokenmetrics.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.query.Block;
import dev.tokenmetrics.query.Blocks;
import dev.tokenmetrics.query.Filters;
import dev.tokenmetrics.query.Grouping;
import dev.tokenmetrics.query.Period;
import dev.tokenmetrics.query.Query;
import dev.tokenmetrics.query.Report;
import dev.tokenmetrics.query.Reports;
import dev.tokenmetrics.query.Row;
import dev.tokenmetrics.query.Usage;
import dev.tokenmetrics.query.UsageLedger;
import dev.tokenmetrics.receiver.RunningReceiver;
import dev.tokenmetrics.receiver.Skip;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * Our token totals per day, week, month and 5-hour block equal the real ccusage's ({@link #CCUSAGE_VERSION}, from npm, pinned; .ci/run installs
 * it) on the same transcripts, which the receiver imported into the ledger. Costs are not compared: the transcripts
 * carry no price, so the ledger leaves them unpriced while ccusage prices from its own table.
 */
class CcusageCrossCheckTest {

    /** The newest ccusage that runs from its npm package alone; 19+ need a native package the registry lacks here. */
    static final String CCUSAGE_VERSION = "18.0.11";

    @TempDir
    Path home;

    static Path ccusage() {
        String configured = System.getenv("CCUSAGE_BIN");
        Path found = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache/claude-token-metrics-ci/ccusage-"
                        + CCUSAGE_VERSION + "/node_modules/.bin/ccusage");
        Skip.unlessInstalled(Files.isExecutable(found), "ccusage not found: 'npm install --prefix ~/.cache/"
                + "claude-token-metrics-ci/ccusage-" + CCUSAGE_VERSION + " ccusage@" + CCUSAGE_VERSION
                + "', or set CCUSAGE_BIN");
        return found;
    }

    @Test
    void tokenTotalsPerDayWeekMonthAndBlockEqualCcusagesOnTheSameTranscripts() throws Exception {
        Path ccusage = ccusage();
        writeHistory(home.resolve(".claude/projects"), 24, 30);
        var ours = new TreeMap<String, Map<String, List<Long>>>();
        try (RunningReceiver receiver = RunningReceiver.start(home)) {
            receiver.importTranscripts();
            try (UsageLedger ledger = UsageLedger.open(receiver.stateDir().resolve("usage.db"))) {
                for (Grouping grouping : List.of(Grouping.DAILY, Grouping.WEEKLY, Grouping.MONTHLY)) {
                    Report report = Reports.run(ledger, new Query(grouping, Period.ALL, Filters.NONE,
                            ZoneId.of("UTC"), DayOfWeek.SUNDAY));
                    var rows = new TreeMap<String, List<Long>>();
                    for (Row row : report.rows()) {
                        rows.put(row.key(), tokens(row.usage()));
                    }
                    ours.put(grouping.command(), rows);
                }
                Blocks.Answer blocks = Blocks.run(ledger, new Query(Grouping.BLOCKS, Period.ALL, Filters.NONE,
                        ZoneId.of("UTC"), DayOfWeek.SUNDAY), Instant.now());
                var rows = new TreeMap<String, List<Long>>();
                for (Block block : blocks.blocks()) {
                    rows.put(block.row().key(), tokens(block.row().usage()));
                }
                ours.put("blocks", rows);
            }
        }

        Map<String, String> keys = Map.of("daily", "date", "weekly", "week", "monthly", "month");
        for (Map.Entry<String, String> report : keys.entrySet()) {
            var theirs = new TreeMap<String, List<Long>>();
            for (JsonNode row : runCcusage(ccusage, home.resolve(".claude"), report.getKey())
                    .path(report.getKey())) {
                theirs.put(row.path(report.getValue()).asText(), List.of(row.path("inputTokens").asLong(),
                        row.path("outputTokens").asLong(), row.path("cacheCreationTokens").asLong(),
                        row.path("cacheReadTokens").asLong(), row.path("totalTokens").asLong()));
            }
            assertEquals(theirs, ours.get(report.getKey()), report.getKey()
                    + ": input, output, cache creation, cache read and total tokens per row");
        }
        assertTrue(ours.get("daily").size() >= 5, "the history spans days: " + ours.get("daily").keySet());

        var theirBlocks = new TreeMap<String, List<Long>>();
        for (JsonNode block : runCcusage(ccusage, home.resolve(".claude"), "blocks").path("blocks")) {
            if (block.path("isGap").asBoolean()) {
                continue; // ccusage lists the idle time between blocks; we do not
            }
            JsonNode counts = block.path("tokenCounts");
            theirBlocks.put(block.path("startTime").asText(), List.of(counts.path("inputTokens").asLong(),
                    counts.path("outputTokens").asLong(), counts.path("cacheCreationInputTokens").asLong(),
                    counts.path("cacheReadInputTokens").asLong(), block.path("totalTokens").asLong()));
        }
        assertTrue(theirBlocks.size() >= 5, "several blocks: " + theirBlocks.keySet());
        assertEquals(theirBlocks, ours.get("blocks"), "5-hour blocks: the same windows, the same tokens");
    }

    private static List<Long> tokens(Usage usage) {
        return List.of(usage.input(), usage.output(), usage.cacheCreation(), usage.cacheRead(), usage.totalTokens());
    }

    /** {@code ccusage REPORT --json --offline --timezone UTC} on the transcripts under {@code claudeDir}. */
    static JsonNode runCcusage(Path ccusage, Path claudeDir, String report) throws IOException,
            InterruptedException {
        var builder = new ProcessBuilder(ccusage.toString(), report, "--json", "--offline", "--timezone", "UTC");
        builder.environment().put("CLAUDE_CONFIG_DIR", claudeDir.toString());
        builder.environment().put("NO_COLOR", "1");
        Path out = claudeDir.resolveSibling("ccusage.out");
        Path err = claudeDir.resolveSibling("ccusage.err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ccusage did not finish");
        }
        assertEquals(0, process.exitValue(), () -> "ccusage failed: " + read(err));
        return new ObjectMapper().readTree(out.toFile());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * A history over {@code sessions} transcripts in several projects, of {@code requests} replies each, spread
     * over about two weeks, some replies written over several lines as Claude Code streams them (with the same
     * usage on each: ccusage keeps a reply's first line, the ledger its last).
     */
    static void writeHistory(Path projects, int sessions, int requests) throws IOException {
        var random = new Random(7);
        List<String> cwds = List.of("/home/user/alpha", "/home/user/beta", "/srv/gamma");
        List<String> models = List.of("claude-sonnet-4-20250514", "claude-opus-4-1-20250805",
                "claude-3-5-haiku-20241022");
        Instant start = Instant.parse("2026-11-10T06:00:00Z");
        for (int s = 0; s < sessions; s++) {
            String cwd = cwds.get(s % cwds.size());
            String session = new UUID(random.nextLong(), random.nextLong()).toString();
            Path dir = Files.createDirectories(projects.resolve(cwd.replace('/', '-')));
            Instant at = start.plus(Duration.ofMinutes(random.nextInt(14 * 24 * 60)));
            try (Writer out = Files.newBufferedWriter(dir.resolve(session + ".jsonl"), StandardCharsets.UTF_8)) {
                for (int r = 0; r < requests; r++) {
                    at = at.plusSeconds(5 + random.nextInt(600));
                    String message = "msg_" + Long.toHexString(random.nextLong());
                    String request = "req_" + Long.toHexString(random.nextLong());
                    String model = models.get(random.nextInt(models.size()));
                    long input = 1 + random.nextInt(5000);
                    long output = 1 + random.nextInt(3000);
                    long cacheCreation = random.nextInt(4) == 0 ? random.nextInt(20000) : 0;
                    long cacheRead = random.nextInt(120000);
                    int lines = 1 + (random.nextInt(4) == 0 ? 1 : 0);
                    for (int line = 0; line < lines; line++) {
                        out.write(TranscriptLine.assistant(session, cwd, "main", at.plusMillis(line * 300L),
                                message, request, model, input, output, cacheCreation, cacheRead));
                    }
                }
            }
        }
    }
}
