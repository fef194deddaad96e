package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.aggregate.SessionReport;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.Usage;
import dev.tokenmetrics.receiver.aggregate.UsageAggregator;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric totals the ledger records: for each session and model that metric points touched, the aggregator's
 * exact total of it now (the ledger takes the whole, not the points' increases, so that a point seen again adds
 * nothing), dated at the latest of those points, bounded as the aggregator bounds it.
 */
final class MetricTotals {

    /** The resource attribute the launcher names a session's project by, as log events carry it too. */
    private static final String PROJECT = "project";

    private MetricTotals() {
    }

    /**
     * Notes, per session and model the batch's points touched, the latest point time (epoch nanoseconds) in
     * {@code latest}; true when there was any.
     */
    static boolean touched(UsageBatch batch, Map<SessionModel, Long> latest) {
        long received = batch.receivedNanos();
        long bound = received == UsageBatch.RECEIVED_UNKNOWN ? Long.MAX_VALUE
                : received + UsageAggregator.FUTURE_TOLERANCE.toNanos();
        boolean any = false;
        for (UsagePoint point : batch.points()) {
            if (!point.sessionId().isEmpty()) { // a point without a session counts for the day only
                latest.merge(new SessionModel(point.sessionId(), point.model()), Math.min(point.timeNanos(), bound),
                        Math::max);
                any = true;
            }
        }
        return any;
    }

    /**
     * The totals of the sessions and models touched, dated at their latest point, that the report holds; a session
     * the report no longer lists (idle a day, or beyond the sessions it lists) is left out.
     */
    static List<MetricTotal> of(Map<SessionModel, Long> latest, UsageReport report) {
        if (latest.isEmpty()) {
            return List.of();
        }
        var sessions = new HashMap<String, SessionReport>();
        report.sessions().forEach(session -> sessions.put(session.sessionId(), session));
        var totals = new ArrayList<MetricTotal>(latest.size());
        latest.forEach((pair, timeNanos) -> {
            SessionReport session = sessions.get(pair.sessionId());
            Usage usage = session == null ? null : session.models().get(pair.model());
            if (usage != null) {
                TokenCounts tokens = usage.tokens();
                totals.add(new MetricTotal(pair.sessionId(), pair.model(), instant(timeNanos), tokens.input(),
                        tokens.output(), tokens.cacheRead(), tokens.cacheCreation(), usage.costUsd(),
                        session.resource().get(PROJECT)));
            }
        });
        return totals;
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
