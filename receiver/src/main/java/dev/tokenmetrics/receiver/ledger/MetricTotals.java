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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric totals the ledger records for some batches: for each session and model their points touched, the
 * aggregator's exact total of it now (the ledger takes the whole, not the batches' increases, so that a batch seen
 * again adds nothing), dated at the latest of those points, as the aggregator bounds it.
 */
final class MetricTotals {

    private record SessionModel(String sessionId, String model) {
    }

    private MetricTotals() {
    }

    /** Whether the batch brings metric points the ledger could count. */
    static boolean hasPoints(UsageBatch batch) {
        return batch.points().stream().anyMatch(point -> !point.sessionId().isEmpty());
    }

    /**
     * The totals, per session and model the batches' points touched, that the report holds; a session the report
     * no longer lists (idle a day, or beyond the sessions it lists) is left out.
     */
    static List<MetricTotal> of(List<UsageBatch> batches, UsageReport report) {
        var latest = new LinkedHashMap<SessionModel, Long>();
        for (UsageBatch batch : batches) {
            long received = batch.receivedNanos();
            long bound = received == UsageBatch.RECEIVED_UNKNOWN ? Long.MAX_VALUE
                    : received + UsageAggregator.FUTURE_TOLERANCE.toNanos();
            for (UsagePoint point : batch.points()) {
                if (!point.sessionId().isEmpty()) {
                    latest.merge(new SessionModel(point.sessionId(), point.model()),
                            Math.min(point.timeNanos(), bound), Math::max);
                }
            }
        }
        if (latest.isEmpty()) {
            return List.of();
        }
        var sessions = new HashMap<String, SessionReport>();
        report.sessions().forEach(session -> sessions.put(session.sessionId(), session));
        var totals = new ArrayList<MetricTotal>(latest.size());
        latest.forEach((pair, timeNanos) -> {
            SessionReport session = sessions.get(pair.sessionId());
            Map<String, Usage> models = session == null ? Map.of() : session.models();
            Usage usage = models.get(pair.model());
            if (usage != null) {
                TokenCounts tokens = usage.tokens();
                totals.add(new MetricTotal(pair.sessionId(), pair.model(), instant(timeNanos), tokens.input(),
                        tokens.output(), tokens.cacheRead(), tokens.cacheCreation(), usage.costUsd()));
            }
        });
        return totals;
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
