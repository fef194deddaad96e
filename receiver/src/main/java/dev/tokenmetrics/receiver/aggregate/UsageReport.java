package dev.tokenmetrics.receiver.aggregate;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A consistent picture of the aggregates at one instant: the sessions active in the last 24 hours, most recently
 * active first and at most {@link UsageAggregator#MAX_REPORTED_SESSIONS} of them, and today's totals over all
 * sessions.
 */
public record UsageReport(Instant generatedAt, List<SessionReport> sessions, LocalDate today, Usage todayUsage) {

    public UsageReport {
        sessions = List.copyOf(sessions);
    }

    public SessionReport session(String sessionId) {
        for (SessionReport session : sessions) {
            if (session.sessionId().equals(sessionId)) {
                return session;
            }
        }
        return null;
    }
}
