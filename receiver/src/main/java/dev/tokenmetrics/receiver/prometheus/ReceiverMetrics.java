package dev.tokenmetrics.receiver.prometheus;

import dev.tokenmetrics.receiver.forward.ForwardStats;
import dev.tokenmetrics.receiver.http.ExportCounts;
import dev.tokenmetrics.receiver.http.Scrape;
import dev.tokenmetrics.receiver.ledger.LedgerReader;
import dev.tokenmetrics.receiver.store.FsyncTimes;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * What {@code GET /metrics} shows (docs/PROMETHEUS.md): Claude Code's usage from the ledger, durable and so
 * monotonic across restarts, and the receiver's own health. Names follow the OpenTelemetry-to-Prometheus
 * conventions: dots become underscores, the unit is a suffix, counters end in {@code _total}.
 */
public final class ReceiverMetrics implements Scrape {

    private static final Logger LOG = Logger.getLogger(ReceiverMetrics.class.getName());

    /** The window of the rate gauges. */
    static final long TOKENS_PER_MINUTE_WINDOW_MILLIS = 5 * 60_000L;
    static final long COST_PER_HOUR_WINDOW_MILLIS = 60 * 60_000L;

    /** What the receiver knows of itself at a scrape. */
    public record Health(String version, Instant startedAt, long commits, FsyncTimes.Snapshot fsync,
                         int problems, int activeSessions, long ledgerPendingCommits, ForwardStats forwarding) {

        /** Without forwarding. */
        public Health(String version, Instant startedAt, long commits, FsyncTimes.Snapshot fsync, int problems,
                      int activeSessions, long ledgerPendingCommits) {
            this(version, startedAt, commits, fsync, problems, activeSessions, ledgerPendingCommits, null);
        }
    }

    private final Supplier<Optional<LedgerReader>> ledger; // none while the ledger is not open
    private final ExportCounts exports;
    private final Supplier<Health> health;
    private final Clock clock;
    private final ZoneId zone;
    private final double dailyBudgetUsd;

    /** {@code dailyBudgetUsd}: NaN when none is set. */
    public ReceiverMetrics(Supplier<Optional<LedgerReader>> ledger, ExportCounts exports, Supplier<Health> health, Clock clock,
                           ZoneId zone, double dailyBudgetUsd) {
        this.ledger = ledger;
        this.exports = exports;
        this.health = health;
        this.clock = clock;
        this.zone = zone;
        this.dailyBudgetUsd = dailyBudgetUsd;
    }

    @Override
    public Scraped render(String accept) {
        boolean openMetrics = Exposition.wantsOpenMetrics(accept);
        var families = new ArrayList<Family>();
        usage(families);
        receiver(families, health.get());
        return new Scraped(openMetrics ? Exposition.OPEN_METRICS : Exposition.TEXT,
                Exposition.write(families, openMetrics));
    }

    private void usage(List<Family> families) {
        Optional<LedgerReader> opened = ledger.get();
        if (opened.isEmpty()) {
            return;
        }
        LedgerReader reader = opened.get();
        LedgerReader.Totals totals;
        LedgerReader.Window lastMinutes;
        LedgerReader.Window lastHour;
        LedgerReader.Window today;
        long now = clock.millis();
        try {
            totals = reader.totals(now);
            lastMinutes = reader.since(now - TOKENS_PER_MINUTE_WINDOW_MILLIS);
            lastHour = reader.since(now - COST_PER_HOUR_WINDOW_MILLIS);
            today = reader.since(LocalDate.now(clock.withZone(zone)).atStartOfDay(zone).toInstant().toEpochMilli());
        } catch (SQLException e) {
            // The receiver's own health is still worth a scrape: a failed one would read as "receiver down".
            LOG.warning("/metrics: the usage series are left out: cannot read the ledger: " + e.getMessage());
            return;
        }
        var tokens = new ArrayList<Sample>();
        var cost = new ArrayList<Sample>();
        var requests = new ArrayList<Sample>();
        for (LedgerReader.Total total : totals.byLabels()) {
            String[] labels = {"model", total.model(), "project", total.project(), "git_branch", total.gitBranch()};
            tokens.add(tokens("input", total.input(), labels));
            tokens.add(tokens("output", total.output(), labels));
            tokens.add(tokens("cacheRead", total.cacheRead(), labels));
            tokens.add(tokens("cacheCreation", total.cacheCreation(), labels));
            cost.add(Sample.total(total.costUsd(), labels));
            requests.add(Sample.total(total.requests(), labels));
        }
        families.add(Family.counter("claude_code_token_usage_tokens", "tokens",
                "Tokens used by Claude Code's API requests, by type, from the usage ledger.", tokens));
        families.add(Family.counter("claude_code_cost_usage_USD", "USD",
                "Cost of Claude Code's API requests in US dollars (priced requests only), from the usage ledger.",
                cost));
        families.add(Family.counter("claude_code_api_requests", "",
                "Claude Code's API requests recorded in the usage ledger.", requests));
        families.add(Family.counter("claude_code_sessions", "",
                "Claude Code sessions with at least one request in the usage ledger.",
                List.of(Sample.total(totals.sessions()))));
        families.add(Family.gauge("claude_code_tokens_per_minute", "",
                "Tokens per minute over the last 5 minutes.",
                List.of(Sample.gauge(lastMinutes.tokens() / 5.0))));
        families.add(Family.gauge("claude_code_cost_per_hour_USD", "USD",
                "Cost of the requests of the last 60 minutes, in US dollars.",
                List.of(Sample.gauge(lastHour.costUsd()))));
        families.add(Family.gauge("claude_code_cost_today_USD", "USD",
                "Cost of today's requests (the receiver's local day), in US dollars.",
                List.of(Sample.gauge(today.costUsd()))));
        if (!Double.isNaN(dailyBudgetUsd)) {
            families.add(Family.gauge("claude_code_daily_budget_USD", "USD", "The daily budget configured.",
                    List.of(Sample.gauge(dailyBudgetUsd))));
            families.add(Family.gauge("claude_code_daily_budget_ratio", "ratio",
                    "Today's cost divided by the daily budget: 1 means the budget is spent.",
                    List.of(Sample.gauge(today.costUsd() / dailyBudgetUsd))));
        }
    }

    private static Sample tokens(String type, long value, String[] labels) {
        String[] withType = new String[labels.length + 2];
        withType[0] = "type";
        withType[1] = type;
        System.arraycopy(labels, 0, withType, 2, labels.length);
        return Sample.total(value, withType);
    }

    private void receiver(List<Family> families, Health health) {
        var exportSamples = new ArrayList<Sample>();
        for (ExportCounts.Count count : exports.snapshot()) {
            exportSamples.add(Sample.total(count.count(), "signal", count.signal().name().toLowerCase(Locale.ROOT),
                    "encoding", count.encoding(), "result", count.result().label()));
        }
        families.add(Family.counter("claude_token_metrics_exports", "",
                "OTLP exports answered since the receiver started, by signal, encoding and result.", exportSamples));
        families.add(Family.counter("claude_token_metrics_rejected_items", "",
                "Data points and log records rejected (partial success) since the receiver started.",
                List.of(Sample.total(exports.rejectedItems()))));
        families.add(Family.counter("claude_token_metrics_commits", "",
                "Group commits of the journal since the receiver started.", List.of(Sample.total(health.commits()))));
        families.add(histogram("claude_token_metrics_journal_fsync_seconds",
                "Time to make a group of exports durable (write and fsync), which every acknowledgement waits for.",
                health.fsync()));
        families.add(Family.gauge("claude_token_metrics_problems", "",
                "Problems the receiver reports in /health (0 when healthy).", List.of(Sample.gauge(health.problems()))));
        families.add(Family.gauge("claude_token_metrics_active_sessions", "",
                "Sessions that exported usage in the last minute.", List.of(Sample.gauge(health.activeSessions()))));
        families.add(Family.gauge("claude_token_metrics_ledger_pending_commits", "",
                "Commits not yet written to the usage ledger (waiting while it cannot be opened or written).",
                List.of(Sample.gauge(health.ledgerPendingCommits()))));
        if (health.forwarding() != null) {
            forwarding(families, health.forwarding());
        }
        families.add(Family.gauge("claude_token_metrics_build_info", "", "The receiver's version.",
                List.of(Sample.gauge(1, "version", health.version()))));
        families.add(Family.gauge("process_start_time_seconds", "seconds",
                "When the receiver started, in seconds since the epoch.",
                List.of(Sample.gauge(health.startedAt().toEpochMilli() / 1000.0))));
    }

    /** Forwarding to the team's collector (docs/FORWARDING.md); only when it is configured. */
    private static void forwarding(List<Family> families, ForwardStats forwarding) {
        families.add(Family.gauge("claude_token_metrics_forward_queue_exports", "",
                "Exports waiting in the forwarding queue.", List.of(Sample.gauge(forwarding.queuedExports()))));
        families.add(Family.gauge("claude_token_metrics_forward_queue_bytes", "bytes",
                "Bytes the forwarding queue takes on disk.", List.of(Sample.gauge(forwarding.queuedBytes()))));
        families.add(Family.counter("claude_token_metrics_forward_sent_exports", "",
                "Exports the upstream accepted since the receiver started.",
                List.of(Sample.total(forwarding.sentExports()))));
        families.add(Family.counter("claude_token_metrics_forward_retries", "",
                "Upstream requests that failed and will be retried (unreachable, 429, 502, 503, 504).",
                List.of(Sample.total(forwarding.retries()))));
        families.add(Family.counter("claude_token_metrics_forward_dropped_exports", "",
                "Exports dropped unsent because the forwarding queue was full (the oldest go first).",
                List.of(Sample.total(forwarding.droppedExports()))));
        families.add(Family.counter("claude_token_metrics_forward_failed_exports", "",
                "Exports given up on: refused by the upstream with a status not worth retrying, or damaged on disk.",
                List.of(Sample.total(forwarding.failedExports()))));
        families.add(Family.counter("claude_token_metrics_forward_rejected_items", "",
                "Data points, log records and spans the upstream rejected in a partial success.",
                List.of(Sample.total(forwarding.rejectedItems()))));
        families.add(Family.counter("claude_token_metrics_forward_queue_write_failures", "",
                "Exports the forwarding queue could not write (a full disk): kept locally, never forwarded.",
                List.of(Sample.total(forwarding.queueWriteFailures()))));
    }

    private static Family histogram(String name, String help, FsyncTimes.Snapshot snapshot) {
        var samples = new ArrayList<Sample>();
        long cumulative = 0;
        long[] counts = snapshot.counts();
        for (int i = 0; i < FsyncTimes.BOUNDS_SECONDS.length; i++) {
            cumulative += counts[i];
            samples.add(new Sample("_bucket", List.of("le", FsyncTimes.BOUND_LABELS.get(i)),
                    cumulative));
        }
        cumulative += counts[counts.length - 1];
        samples.add(new Sample("_bucket", List.of("le", "+Inf"), cumulative));
        samples.add(new Sample("_sum", List.of(), snapshot.sumSeconds()));
        samples.add(new Sample("_count", List.of(), cumulative));
        return new Family(name, Family.Type.HISTOGRAM, "seconds", help, samples);
    }
}
