package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.SessionResource;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Folds usage batches into per-session, per-model and per-day totals. Deterministic: the same batches in the same
 * order give the same state, which is what lets the journal rebuild it after a crash. Not thread-safe; the store
 * serialises access.
 */
public final class UsageAggregator {

    /** Sessions idle longer than this leave the report (the metrics file stays small). */
    public static final Duration REPORTED_IDLE = Duration.ofHours(24);
    /** Streams and sessions idle longer than this are forgotten; a week covers a laptop asleep over a weekend. */
    public static final Duration REMEMBERED_IDLE = Duration.ofDays(7);
    private static final int DAYS_KEPT = 8;

    final ZoneId zone;
    final StreamTracker streams = new StreamTracker();
    final Map<String, SessionState> sessions = new HashMap<>();
    final TreeMap<LocalDate, Usage> days = new TreeMap<>();

    public UsageAggregator(ZoneId zone) {
        this.zone = zone;
    }

    /** Applies a batch and returns how many of its points and events changed the totals. */
    public int apply(UsageBatch batch) {
        int changed = 0;
        for (UsagePoint point : batch.points()) {
            BigDecimal increase = streams.increase(point);
            if (increase == null) {
                continue;
            }
            Usage usage = point.tokenType() != null
                    ? new Usage(TokenCounts.ZERO.plus(point.tokenType(), increase.longValueExact()), BigDecimal.ZERO)
                    : new Usage(TokenCounts.ZERO, increase);
            days.merge(LocalDate.ofInstant(instant(point.timeNanos()), zone), usage, Usage::plus);
            if (!point.sessionId().isEmpty()) {
                sessions.computeIfAbsent(point.sessionId(), id -> new SessionState())
                        .add(point.model(), point.startNanos(), point.timeNanos(), usage);
            }
            changed++;
        }
        for (ApiRequest request : batch.apiRequests()) {
            SessionState session = sessions.computeIfAbsent(request.sessionId(), id -> new SessionState());
            if (session.countEvent(request.eventKey())) {
                session.touch(request.timeNanos());
                changed++;
            }
        }
        for (SessionResource resource : batch.resources()) {
            SessionState session = sessions.get(resource.sessionId());
            if (session != null) {
                session.resource = resource.attributes();
            }
        }
        while (days.size() > DAYS_KEPT) {
            days.pollFirstEntry();
        }
        return changed;
    }

    public UsageReport report(Instant now) {
        long nowNanos = nanos(now);
        long reportedSince = nanos(now.minus(REPORTED_IDLE));
        var reports = new ArrayList<SessionReport>();
        sessions.forEach((id, session) -> {
            if (session.lastNanos >= reportedSince && session.hasUsage()) {
                reports.add(new SessionReport(id, session.total(), session.models, session.lastModel,
                        instant(session.firstNanos), instant(session.lastNanos),
                        session.tokensPerMinute(nowNanos), session.apiRequests, session.resource));
            }
        });
        reports.sort(Comparator.comparing(SessionReport::lastActivity).reversed()
                .thenComparing(SessionReport::sessionId));
        LocalDate today = LocalDate.ofInstant(now, zone);
        return new UsageReport(now, reports, today, days.getOrDefault(today, Usage.ZERO));
    }

    /**
     * How many sessions the report would list with activity after {@code since}, leaving out those whose resource
     * attributes {@code excluded} matches; counted without building the report, which /health must not wait for.
     */
    public int activeSessions(Instant since, Predicate<Map<String, String>> excluded) {
        long sinceNanos = nanos(since);
        int active = 0;
        for (SessionState session : sessions.values()) {
            if (session.hasUsage() && session.lastNanos > sinceNanos && !excluded.test(session.resource)) {
                active++;
            }
        }
        return active;
    }

    /** Forgets sessions and streams idle beyond {@link #REMEMBERED_IDLE}. */
    public void forgetIdle(Instant now) {
        long horizon = nanos(now.minus(REMEMBERED_IDLE));
        sessions.values().removeIf(session -> session.lastNanos < horizon);
        streams.forgetOlderThan(horizon);
    }

    public int sessionCount() {
        return sessions.size();
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
