package dev.tokenmetrics.receiver.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.http.ExportCounts;
import dev.tokenmetrics.receiver.ledger.Ledger;
import dev.tokenmetrics.receiver.ledger.LedgerReader;
import dev.tokenmetrics.receiver.ledger.LedgerRow;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.store.FsyncTimes;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What /metrics shows of a ledger: durable totals by model, project and branch, windows, today, the budget. */
class ReceiverMetricsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    private static final ReceiverMetrics.Health HEALTH = new ReceiverMetrics.Health("1.2.3", NOW.minusSeconds(60), 7,
            new FsyncTimes().snapshot(), 0, 1, 0);

    @TempDir
    Path temp;

    private static LedgerRow row(String id, Instant time, String model, long input, String cost, String cwd,
                                 String branch) {
        return new LedgerRow("req:" + id, Source.TRANSCRIPT, "s-" + cwd, time, model,
                new Tokens(input, 10, 100, 5, 5, 0), cost == null ? null : new BigDecimal(cost),
                cost == null ? CostSource.UNPRICED : CostSource.EXACT, Call.NONE, new Place(null, cwd, branch, id),
                null);
    }

    private String scrape(double budget, LedgerRow... rows) throws Exception {
        Path database = temp.resolve("usage.db");
        try (Ledger ledger = Ledger.open(database)) {
            ledger.record(List.of(rows));
            ledger.sync();
        }
        try (LedgerReader reader = LedgerReader.open(database)) {
            var metrics = new ReceiverMetrics(() -> Optional.of(reader), new ExportCounts(), () -> HEALTH,
                    Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC, budget);
            var page = metrics.render(null);
            assertEquals(Exposition.TEXT, page.contentType());
            return new String(page.body(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void usageIsSummedByModelProjectAndBranch() throws Exception {
        String page = scrape(Double.NaN,
                row("a", NOW.minusSeconds(3 * 3600), "claude-opus-4-1", 1000, "0.50", "/work/app", "main"),
                row("b", NOW.minusSeconds(120), "claude-opus-4-1", 2000, "0.25", "/work/app", "main"),
                row("c", NOW.minusSeconds(60), "claude-sonnet-4-5", 300, null, "/work/lib", "feature/x"));
        assertTrue(page.contains("claude_code_token_usage_tokens_total{type=\"input\",model=\"claude-opus-4-1\","
                + "project=\"/work/app\",git_branch=\"main\"} 3000\n"), page);
        assertTrue(page.contains("claude_code_token_usage_tokens_total{type=\"cacheRead\",model=\"claude-sonnet-4-5\","
                + "project=\"/work/lib\",git_branch=\"feature/x\"} 100\n"), page);
        assertTrue(page.contains("claude_code_cost_usage_USD_total{model=\"claude-opus-4-1\",project=\"/work/app\","
                + "git_branch=\"main\"} 0.75\n"), page);
        // An unpriced request adds tokens, never a made-up $0 cost: its series stays at what is known.
        assertTrue(page.contains("claude_code_cost_usage_USD_total{model=\"claude-sonnet-4-5\",project=\"/work/lib\","
                + "git_branch=\"feature/x\"} 0\n"), page);
        assertTrue(page.contains("claude_code_api_requests_total{model=\"claude-opus-4-1\",project=\"/work/app\","
                + "git_branch=\"main\"} 2\n"), page);
        assertTrue(page.contains("claude_code_sessions_total 2\n"), page);
        // Rates: the two requests of the last 5 minutes (2000+10+100+5 and 300+10+100+5 tokens) per minute.
        assertTrue(page.contains("claude_code_tokens_per_minute " + Exposition.number((2115 + 415) / 5.0) + "\n"), page);
        assertTrue(page.contains("claude_code_cost_per_hour_USD 0.25\n"), page);
        assertTrue(page.contains("claude_code_cost_today_USD 0.75\n"), page);
        assertFalse(page.contains("budget"), "no budget configured: " + page);
    }

    @Test
    void aRequestWhosePlaceIsUnknownWaitsForItsTranscriptSoThatNoCounterEverGoesDown() throws Exception {
        Path database = temp.resolve("usage.db");
        LedgerRow seenByTelemetry = row("t", NOW.minusSeconds(30), "claude-opus-4-1", 1000, "0.10", null, null);
        LedgerRow longUnplaced = row("old", NOW.minusSeconds(3600), "claude-opus-4-1", 7, "0.01", null, null);
        try (Ledger ledger = Ledger.open(database); LedgerReader reader = LedgerReader.open(database)) {
            ledger.record(List.of(seenByTelemetry, longUnplaced));
            ledger.sync();
            var metrics = new ReceiverMetrics(() -> Optional.of(reader), new ExportCounts(), () -> HEALTH,
                    Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC, Double.NaN);
            String before = new String(metrics.render(null).body(), StandardCharsets.UTF_8);
            assertTrue(before.contains("claude_code_token_usage_tokens_total{type=\"input\",model=\"claude-opus-4-1\","
                    + "project=\"\",git_branch=\"\"} 7\n"), "only the settled one: " + before);
            assertTrue(before.contains("claude_code_tokens_per_minute " + Exposition.number(1115 / 5.0)), before);

            // The transcript is read: the request counts under its project, the empty series never drops.
            ledger.record(List.of(row("t", NOW.minusSeconds(30), "claude-opus-4-1", 1000, "0.10", "/work/app", "main")));
            ledger.sync();
            String after = new String(metrics.render(null).body(), StandardCharsets.UTF_8);
            assertTrue(after.contains("claude_code_token_usage_tokens_total{type=\"input\",model=\"claude-opus-4-1\","
                    + "project=\"\",git_branch=\"\"} 7\n"), after);
            assertTrue(after.contains("claude_code_token_usage_tokens_total{type=\"input\",model=\"claude-opus-4-1\","
                    + "project=\"/work/app\",git_branch=\"main\"} 1000\n"), after);
        }
    }

    @Test
    void theTotalsTheTriggersKeepEqualTheSumsOverTheRequests() throws Exception {
        Path database = temp.resolve("usage.db");
        try (Ledger ledger = Ledger.open(database)) {
            ledger.record(List.of(row("a", NOW, "m1", 5, "0.5", "/p", "b"), row("b", NOW, "m1", 6, null, "/p", "b"),
                    row("c", NOW, "m2", 7, "0.25", "/q", "b")));
            ledger.record(List.of(row("a", NOW, "m1", 9, "0.75", "/p", "b"))); // seen again: replaced, not added
            LedgerRow fromTranscript = row("d", NOW, "m2", 100, "1", "/q", "b");
            ledger.record(List.of(new LedgerRow(fromTranscript.key(), fromTranscript.source(), "s", NOW, "m2",
                    fromTranscript.tokens(), fromTranscript.costUsd(), fromTranscript.costSource(), Call.NONE,
                    fromTranscript.place(), "x.jsonl")));
            ledger.replaceTranscript("x.jsonl", List.of()); // the transcript was rewritten without it: deleted
            ledger.sync();
        }
        try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + database);
             var statement = connection.createStatement()) {
            var totals = statement.executeQuery("SELECT group_concat(model || ':' || requests || ':' || input_tokens"
                    + " || ':' || cost_usd, ' ') FROM (SELECT * FROM usage_totals ORDER BY model)");
            var sums = connection.createStatement().executeQuery("SELECT group_concat(model || ':' || n || ':' || i"
                    + " || ':' || c, ' ') FROM (SELECT model, count(*) n, sum(input_tokens) i, total(cost_usd) c"
                    + " FROM requests GROUP BY model ORDER BY model)");
            assertEquals(sums.getString(1), totals.getString(1));
            assertEquals("m1:2:15:0.75 m2:1:7:0.25", totals.getString(1));
        }
    }

    @Test
    void theDailyBudgetIsShownAsARatio() throws Exception {
        String page = scrape(2.0, row("a", NOW.minusSeconds(600), "claude-opus-4-1", 1000, "1.50", "/w", "main"));
        assertTrue(page.contains("claude_code_daily_budget_USD 2\n"), page);
        assertTrue(page.contains("claude_code_daily_budget_ratio 0.75\n"), page);
    }

    @Test
    void aLedgerThatCannotBeReadLeavesOutTheUsageNotTheReceiversHealth() throws Exception {
        Path database = temp.resolve("usage.db");
        try (Ledger ledger = Ledger.open(database)) {
            ledger.sync();
        }
        LedgerReader reader = LedgerReader.open(database);
        reader.close(); // every read now fails
        var metrics = new ReceiverMetrics(() -> Optional.of(reader), new ExportCounts(), () -> HEALTH,
                Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC, Double.NaN);
        String page = new String(metrics.render(null).body(), StandardCharsets.UTF_8);
        assertFalse(page.contains("claude_code_token_usage"), page);
        assertTrue(page.contains("claude_token_metrics_commits_total 7\n"), page);
    }

    @Test
    void theReceiversHealthIsShownWithoutALedger() {
        var exports = new ExportCounts();
        var metrics = new ReceiverMetrics(Optional::empty, exports, () -> HEALTH, Clock.fixed(NOW, ZoneOffset.UTC),
                ZoneOffset.UTC, Double.NaN);
        String page = new String(metrics.render("application/openmetrics-text; version=1.0.0").body(),
                StandardCharsets.UTF_8);
        assertFalse(page.contains("claude_code_token_usage"), page);
        assertTrue(page.contains("claude_token_metrics_commits_total 7\n"), page);
        assertTrue(page.contains("claude_token_metrics_journal_fsync_seconds_bucket{le=\"+Inf\"} 0\n"), page);
        assertTrue(page.contains("claude_token_metrics_build_info{version=\"1.2.3\"} 1\n"), page);
        assertTrue(page.endsWith("# EOF\n"), page);
    }
}
