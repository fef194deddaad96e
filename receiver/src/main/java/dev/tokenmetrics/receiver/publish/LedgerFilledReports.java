package dev.tokenmetrics.receiver.publish;

import dev.tokenmetrics.receiver.aggregate.SessionReport;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.Usage;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The aggregator's report, with each session's totals raised to the ledger's where the ledger knows more: what
 * telemetry missed (a DELTA window exported while the receiver was down) and the ledger has from the session's
 * transcript. Per token type and for the cost, the larger of the two counts, so a session is never counted twice;
 * today's totals grow by what the sessions active today gained. The metrics file and the statusline's live file are
 * written from it: one truth for both (docs/METRICS-FILE.md).
 */
public final class LedgerFilledReports implements Supplier<UsageReport> {

    private static final Logger LOG = Logger.getLogger(LedgerFilledReports.class.getName());

    private final Supplier<UsageReport> reports;
    private final Function<Collection<String>, Map<String, Usage>> ledger;
    private final ZoneId zone;

    /** {@code ledger}: the ledger's totals of the sessions named (absent when it has none); may throw. */
    public LedgerFilledReports(Supplier<UsageReport> reports, Function<Collection<String>, Map<String, Usage>> ledger,
                               ZoneId zone) {
        this.reports = reports;
        this.ledger = ledger;
        this.zone = zone;
    }

    @Override
    public UsageReport get() {
        UsageReport report = reports.get();
        if (report.sessions().isEmpty()) {
            return report;
        }
        Map<String, Usage> known;
        try {
            known = ledger.apply(report.sessions().stream().map(SessionReport::sessionId).toList());
        } catch (RuntimeException e) { // the ledger's trouble is /health's to report: telemetry's figures stand
            LOG.fine("the ledger's session totals are not available: " + e);
            return report;
        }
        var sessions = new ArrayList<SessionReport>(report.sessions().size());
        Usage today = report.todayUsage();
        boolean changed = false;
        for (SessionReport session : report.sessions()) {
            Usage fromLedger = known.get(session.sessionId());
            Usage filled = fromLedger == null ? session.usage() : larger(session.usage(), fromLedger);
            if (filled.equals(session.usage())) {
                sessions.add(session);
                continue;
            }
            changed = true;
            sessions.add(new SessionReport(session.sessionId(), filled, session.models(), session.lastModel(),
                    session.firstActivity(), session.lastActivity(), session.tokensPerMinute(),
                    session.apiRequests(), session.resource()));
            if (LocalDate.ofInstant(session.lastActivity(), zone).equals(report.today())) {
                today = today.plus(gain(session.usage(), filled));
            }
        }
        return changed ? new UsageReport(report.generatedAt(), sessions, report.today(), today) : report;
    }

    /** Per type and for the cost, the larger; costs compared at the metrics file's precision. */
    static Usage larger(Usage telemetry, Usage ledger) {
        TokenCounts a = telemetry.tokens();
        TokenCounts b = ledger.tokens();
        var tokens = new TokenCounts(Math.max(a.input(), b.input()), Math.max(a.output(), b.output()),
                Math.max(a.cacheRead(), b.cacheRead()), Math.max(a.cacheCreation(), b.cacheCreation()));
        BigDecimal cost = MetricsFile.roundCost(ledger.costUsd()).compareTo(MetricsFile.roundCost(telemetry.costUsd()))
                > 0 ? MetricsFile.roundCost(ledger.costUsd()) : telemetry.costUsd();
        return new Usage(tokens, cost);
    }

    private static Usage gain(Usage before, Usage after) {
        TokenCounts a = before.tokens();
        TokenCounts b = after.tokens();
        return new Usage(new TokenCounts(b.input() - a.input(), b.output() - a.output(),
                b.cacheRead() - a.cacheRead(), b.cacheCreation() - a.cacheCreation()),
                after.costUsd().subtract(before.costUsd()));
    }

    /** The ledger's per-session sums as the report's {@link Usage}. */
    public static Usage usage(long input, long output, long cacheRead, long cacheCreation, BigDecimal costUsd) {
        return new Usage(new TokenCounts(input, output, cacheRead, cacheCreation), costUsd);
    }
}
