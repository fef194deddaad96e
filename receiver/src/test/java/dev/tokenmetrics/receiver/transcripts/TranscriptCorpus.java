package dev.tokenmetrics.receiver.transcripts;

import dev.tokenmetrics.receiver.transcripts.TranscriptLines.Assistant;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Writes a large, realistic Claude Code history for the benchmark: {@code sessions} transcripts of
 * {@code messages} requests each, over several projects, branches and models, with streamed duplicates (one reply
 * over up to three lines), tool results of varied size, {@code api-request} and {@code cost-state} records, and a
 * subagent transcript for some sessions. Deterministic for a seed. The default, 400 x 300, is about 400 MB
 * (121,240 requests, 3.3 KB of transcript each: its user line, api-request and cost-state records and reply).
 *
 * <p>Usage: {@code TranscriptCorpus <projects dir> [sessions] [messages] [seed]}; prints what it wrote.
 */
public final class TranscriptCorpus {

    private static final List<String> PROJECTS = List.of("/home/user/proj", "/home/user/work/api-gateway",
            "/home/user/work/billing", "/home/user/src/claude-token-metrics", "/home/user/zoë/プロジェクト",
            "/srv/data/pipeline", "/home/user/notes", "/home/user/work/mobile-app");
    private static final List<String> BRANCHES = List.of("main", "feature/ledger", "fix/streaming", "HEAD",
            "release/2.1", "feature/ünïcode-🚀");
    private static final List<String> MODELS = List.of("claude-opus-5-5", "claude-sonnet-5", "claude-haiku-5");
    /** USD per million input, output, cache read, cache write tokens: plausible, not anyone's price list. */
    private static final Map<String, BigDecimal[]> PRICES = Map.of(
            "claude-opus-5-5", prices("5", "25", "0.5", "6.25"),
            "claude-sonnet-5", prices("3", "15", "0.3", "3.75"),
            "claude-haiku-5", prices("1", "5", "0.1", "1.25"));
    private static final Instant START = Instant.parse("2026-10-01T08:00:00Z");

    private final Random random;
    private final int messages;
    private long requests;
    private long lines;
    private long subagents;
    /** The true input, output, cache read and cache write tokens of all requests, to check readers against. */
    private final long[] truth = new long[4];

    private TranscriptCorpus(long seed, int messages) {
        this.random = new Random(seed);
        this.messages = messages;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: TranscriptCorpus <projects dir> [sessions=400] [messages=300] [seed=1]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        TranscriptCorpus corpus = new TranscriptCorpus(seed, messages);
        for (int i = 0; i < sessions; i++) {
            corpus.writeSession(root, i);
        }
        long bytes;
        try (var files = Files.walk(root)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
        System.out.printf("corpus: %d sessions (%d with a subagent), %d requests, %d lines, %.1f MB in %s%n"
                        + "corpus: true tokens in/out/cache read/cache write = %d/%d/%d/%d%n",
                sessions, corpus.subagents, corpus.requests, corpus.lines, bytes / 1e6, root, corpus.truth[0],
                corpus.truth[1], corpus.truth[2], corpus.truth[3]);
    }

    private static BigDecimal[] prices(String... perMillion) {
        BigDecimal[] out = new BigDecimal[perMillion.length];
        for (int i = 0; i < perMillion.length; i++) {
            out[i] = new BigDecimal(perMillion[i]).movePointLeft(6);
        }
        return out;
    }

    private void writeSession(Path root, int index) throws IOException {
        String project = PROJECTS.get(index % PROJECTS.size());
        String session = new UUID(random.nextLong(), random.nextLong()).toString();
        String branch = BRANCHES.get(random.nextInt(BRANCHES.size()));
        String mainModel = MODELS.get(random.nextInt(10) < 6 ? 0 : 1); // the session's model; haiku for small tasks
        Path dir = root.resolve(project.replace('/', '-'));
        Instant at = START.plus(Duration.ofMinutes(random.nextInt(60 * 24 * 60)));
        Map<String, long[]> totals = new LinkedHashMap<>();
        Map<String, BigDecimal> costs = new LinkedHashMap<>();
        boolean withSubagent = random.nextInt(100) < 15;
        int subagentAt = withSubagent ? random.nextInt(messages) : -1;
        Files.createDirectories(dir);
        try (Writer out = Files.newBufferedWriter(dir.resolve(session + ".jsonl"), StandardCharsets.UTF_8)) {
            for (int m = 0; m < messages; m++) {
                at = at.plusMillis(2_000 + random.nextInt(60_000));
                write(out, TranscriptLines.user(session, text(60 + (int) (random.nextDouble() * random.nextDouble() * 600))));
                if (m == subagentAt) {
                    subagents++;
                    at = writeSubagent(dir.resolve(session).resolve("subagents"), session, project, branch, at,
                            totals, costs);
                    write(out, costState(session, totals, costs));
                }
                String model = random.nextInt(10) < 2 ? MODELS.get(2) : mainModel;
                at = writeRequest(out, session, project, branch, model, null, at, totals, costs);
                write(out, costState(session, totals, costs));
            }
        }
    }

    private Instant writeSubagent(Path dir, String session, String project, String branch, Instant at,
            Map<String, long[]> totals, Map<String, BigDecimal> costs) throws IOException {
        String agentId = Long.toHexString(random.nextLong());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("agent-" + agentId + ".meta.json"),
                "{\"agentType\":\"general-purpose\",\"isBuiltIn\":true,\"model\":\"claude-sonnet-5\"}");
        try (Writer out = Files.newBufferedWriter(dir.resolve("agent-" + agentId + ".jsonl"), StandardCharsets.UTF_8)) {
            for (int m = 0; m < 20; m++) {
                write(out, TranscriptLines.user(session, text(200 + random.nextInt(1200))));
                at = writeRequest(out, session, project, branch, "claude-sonnet-5", agentId, at.plusMillis(1_500),
                        totals, costs);
            }
        }
        return at;
    }

    /** An api-request line, then the reply over one to three streamed lines; adds its cost to the totals. */
    private Instant writeRequest(Writer out, String session, String project, String branch, String model,
            String agentId, Instant at, Map<String, long[]> totals, Map<String, BigDecimal> costs) throws IOException {
        requests++;
        String messageId = "msg_" + Long.toHexString(random.nextLong());
        write(out, TranscriptLines.apiRequest(session, new UUID(random.nextLong(), random.nextLong()).toString(), model));
        long input = 3 + random.nextInt(4000);
        long output = 20 + random.nextInt(2500);
        long cacheRead = random.nextInt(150_000);
        long cacheCreation = random.nextInt(10) < 3 ? random.nextInt(20_000) : 0;
        Assistant reply = Assistant.of(session, messageId).model(model).place(project, branch)
                .requestId(random.nextInt(50) == 0 ? null : "req_" + Long.toHexString(random.nextLong()));
        if (agentId != null) {
            reply = reply.subagent(agentId);
        }
        int streamed = 1 + (random.nextInt(10) < 3 ? 1 + random.nextInt(2) : 0);
        for (int line = 1; line <= streamed; line++) {
            at = at.plusMillis(300 + random.nextInt(3000));
            write(out, reply.timestamp(at.toString()).tokens(input, output * line / streamed, cacheRead, cacheCreation)
                    .text(text(20 + random.nextInt(160))).line());
        }
        long[] sums = totals.computeIfAbsent(model, key -> new long[4]);
        sums[0] += input;
        sums[1] += output;
        sums[2] += cacheRead;
        sums[3] += cacheCreation;
        truth[0] += input;
        truth[1] += output;
        truth[2] += cacheRead;
        truth[3] += cacheCreation;
        BigDecimal[] price = PRICES.get(model);
        BigDecimal cost = price[0].multiply(BigDecimal.valueOf(input)).add(price[1].multiply(BigDecimal.valueOf(output)))
                .add(price[2].multiply(BigDecimal.valueOf(cacheRead)))
                .add(price[3].multiply(BigDecimal.valueOf(cacheCreation)));
        costs.merge(model, cost, BigDecimal::add);
        return at;
    }

    private static String costState(String session, Map<String, long[]> totals, Map<String, BigDecimal> costs) {
        StringBuilder models = new StringBuilder();
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, long[]> entry : totals.entrySet()) {
            long[] sums = entry.getValue();
            BigDecimal cost = costs.get(entry.getKey());
            total = total.add(cost);
            if (models.length() > 0) {
                models.append(',');
            }
            models.append(TranscriptLines.modelUsage(entry.getKey(), cost.round(MathContext.DECIMAL64).toPlainString(),
                    sums[0], sums[1], sums[2], sums[3]));
        }
        return "{\"type\":\"cost-state\",\"sessionId\":\"" + session + "\",\"totalCostUSD\":"
                + total.round(MathContext.DECIMAL64).toPlainString()
                + ",\"totalAPIDuration\":86,\"totalDuration\":1709,\"modelUsage\":{" + models
                + "},\"hasUnknownModelCost\":false}\n";
    }

    private void write(Writer out, String line) throws IOException {
        lines++;
        out.write(line);
    }

    private static final String WORDS = "the quick brown fox jumps over a lazy dog while reading \"quoted\" code { } "
            + "[ ] \\ path/to/file.java:42 función ünïcode 日本語 ";

    /** Prose-like content with the escapes and non-ASCII a real transcript carries. */
    private String text(int length) {
        StringBuilder text = new StringBuilder(length + 16);
        while (text.length() < length) {
            int from = random.nextInt(WORDS.length() - 12);
            text.append(WORDS, from, from + 4 + random.nextInt(8));
            if (random.nextInt(20) == 0) {
                text.append('\n');
            }
        }
        return text.toString();
    }
}
