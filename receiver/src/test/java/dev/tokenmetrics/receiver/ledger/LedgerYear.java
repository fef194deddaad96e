package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Writes a year of heavy use into a new ledger through {@link Ledger#record}, to measure its size on disk: by
 * default 525,600 requests (1,440 a day, in sessions of 20 to 280 requests) over 12 projects, 20 branches and 4
 * models, a fifth of them by subagents. Each row is written once as it ends up after both sources saw it: most with
 * telemetry's figures and call details plus the transcript's cwd, branch, message and file; one in eight from a
 * transcript alone (telemetry off or the receiver down: no call details, mostly unpriced). Identifiers have the
 * lengths of real ones. Deterministic for a seed; prints one line of figures for bench/ledger-bench.sh.
 *
 * <p>Usage: {@code LedgerYear <usage.db, must not exist> [requests, default 525600] [seed]}
 */
public final class LedgerYear {

    private static final String HOME = "/home/user";
    private static final List<String> PROJECTS = List.of("/work/api-gateway", "/work/billing", "/work/mobile-app",
            "/work/infra/terraform", "/src/claude-token-metrics", "/src/dotfiles", "/notes", "/work/data/pipeline",
            "/work/frontend/web", "/src/zoë-プロジェクト", "/work/search", "/src/experiments/rust-parser");
    private static final List<String> BRANCHES = List.of("main", "master", "develop", "HEAD", "release/2026.11",
            "feature/ledger", "feature/oauth-refresh", "fix/streaming-retry", "fix/flaky-test", "chore/deps",
            "feature/ünïcode-🚀", "refactor/payment-service", "spike/wasm", "feature/PROJ-1234-export-csv",
            "hotfix/2.1.1", "docs/readme", "feature/search-v2", "perf/cache", "test/e2e", "wip");
    private static final List<String> MODELS = List.of("claude-opus-5-5", "claude-sonnet-5", "claude-haiku-5",
            "claude-opus-4-6");
    private static final List<String> TERMINALS = List.of("xterm-256color", "tmux-256color", "vscode", "iTerm.app");
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Instant START = Instant.parse("2025-12-01T00:00:00Z");
    private static final int BATCH = 500;

    private final Random random;
    private final String userId;
    private final String organizationId;
    private final String accountUuid;
    private String prompt; // the user prompt the requests serve: a new one every five requests or so

    private LedgerYear(long seed) {
        random = new Random(seed);
        userId = hex(64);
        organizationId = uuid();
        accountUuid = uuid();
    }

    public static void main(String[] args) throws IOException {
        Path database = Path.of(args[0]);
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 525_600;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        if (Files.exists(database)) {
            throw new IllegalArgumentException(database + " exists: the benchmark writes a new ledger");
        }
        long start = System.nanoTime();
        int[] counts;
        try (Ledger ledger = Ledger.open(database)) {
            counts = new LedgerYear(seed).write(ledger, requests);
        }
        System.out.printf("rows=%d sessions=%d transcript_only=%d write_ms=%.0f db_bytes=%d%n", requests, counts[0],
                counts[1], (System.nanoTime() - start) / 1e6, Files.size(database));
    }

    /** Writes the year's requests, in time order, {@link #BATCH} to a transaction; returns sessions, transcript-only. */
    private int[] write(Ledger ledger, int requests) throws IOException {
        long spacing = Duration.ofDays(365).toMillis() / requests; // the mean gap between requests
        Instant at = START;
        int written = 0;
        int sessions = 0;
        int transcriptOnly = 0;
        var batch = new ArrayList<LedgerRow>(BATCH);
        while (written < requests) {
            sessions++;
            Session session = new Session(uuid(), PROJECTS.get(random.nextInt(PROJECTS.size())),
                    BRANCHES.get(random.nextInt(BRANCHES.size())), sessionModel(),
                    random.nextInt(8) == 0);
            int length = Math.min(20 + random.nextInt(261), requests - written);
            for (int i = 0; i < length; i++) {
                at = at.plusMillis(spacing / 2 + (long) (random.nextDouble() * spacing));
                LedgerRow row = row(session, at);
                transcriptOnly += row.source() == Source.TRANSCRIPT ? 1 : 0;
                batch.add(row);
                if (batch.size() == BATCH) {
                    ledger.record(batch);
                    batch.clear();
                }
            }
            written += length;
        }
        ledger.record(batch);
        return new int[] {sessions, transcriptOnly};
    }

    private record Session(String id, String project, String branch, String model, boolean transcriptOnly) {
    }

    /** Most sessions on the newest Opus, some on Sonnet, a few still on an older Opus. */
    private String sessionModel() {
        int pick = random.nextInt(20);
        return MODELS.get(pick < 12 ? 0 : pick < 17 ? 1 : 3);
    }

    private LedgerRow row(Session session, Instant at) {
        boolean subagent = random.nextInt(5) == 0;
        String model = random.nextInt(10) < 2 ? MODELS.get(2) : subagent ? MODELS.get(1) : session.model();
        String requestId = "req_011C" + base62(20);
        String messageId = "msg_01" + base62(22);
        long input = 3 + random.nextInt(4000);
        long output = 20 + random.nextInt(2500);
        long cacheRead = random.nextInt(150_000);
        long cacheCreation = random.nextInt(10) < 3 ? random.nextInt(20_000) : 0;
        var tokens = new Tokens(input, output, cacheRead, cacheCreation, cacheCreation, 0);
        BigDecimal cost = BigDecimal.valueOf(input * 5 + output * 25 + cacheRead / 2 + cacheCreation * 25 / 4, 6);
        String cwd = HOME + session.project();
        String transcript = HOME + "/.claude/projects/" + cwd.replace('/', '-') + "/" + session.id()
                + (subagent ? "/subagents/agent-" + hex(16) : "") + ".jsonl";
        var place = new Place(null, cwd, session.branch(), messageId);
        if (session.transcriptOnly()) {
            boolean exact = random.nextInt(10) == 0; // only where a cost state steps by this request alone
            return new LedgerRow(LedgerRow.key(requestId, 0, messageId), Source.TRANSCRIPT, session.id(), at, model,
                    tokens, exact ? cost : null, exact ? CostSource.EXACT : CostSource.UNPRICED,
                    new Call(requestId, null, null, null, null, "standard", null, null, null, null, null, null, null,
                            "2.1.330"), place, transcript);
        }
        if (prompt == null || random.nextInt(5) == 0) {
            prompt = uuid();
        }
        var call = new Call(requestId, 2_000L + random.nextInt(60_000), 300L + random.nextInt(3_000),
                subagent ? "agent:builtin:general-purpose" : "repl_main_thread", "medium", "standard",
                subagent ? "general-purpose" : null, random.nextInt(50) == 0 ? "pdf" : null, prompt,
                userId, organizationId, accountUuid, TERMINALS.get(session.id().charAt(0) % TERMINALS.size()),
                "2.1.330");
        return new LedgerRow(LedgerRow.key(requestId, 0, null), Source.TELEMETRY, session.id(), at, model, tokens,
                cost, CostSource.EXACT, call, place, transcript);
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private String hex(int length) {
        var out = new StringBuilder(length);
        while (out.length() < length) {
            out.append(Character.forDigit(random.nextInt(16), 16));
        }
        return out.toString();
    }

    private String base62(int length) {
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return out.toString();
    }
}
