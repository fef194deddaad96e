package dev.tokenmetrics.receiver.ledger;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One Claude Code API request as the ledger records it (see docs/LEDGER.md). {@code key} identifies the request
 * across sources: {@code req:<request-id>} when the API's request-id is known (telemetry's {@code request_id} and the
 * transcript's {@code requestId} are both that header), else {@code evt:<event key>} for a telemetry event and
 * {@code msg:<message id>} for a transcript message. {@code transcript} is the transcript file a row was read from
 * (null from telemetry): a transcript that is rewritten has its rows replaced.
 */
public record LedgerRow(
        String key,
        Source source,
        String sessionId,
        Instant time,
        String model,
        Tokens tokens,
        BigDecimal costUsd,
        CostSource costSource,
        Call call,
        Place place,
        String transcript) {

    /**
     * Where a row's figures come from: a request's log event, a transcript's message, or (one row per session, model
     * and day) what Claude Code's metrics counted beyond the other rows of that session and model.
     */
    public enum Source {
        TELEMETRY, TRANSCRIPT, METRICS;

        String column() {
            return name().toLowerCase();
        }
    }

    /** Where a row's cost comes from; {@code UNPRICED} rows have no cost, never $0. */
    public enum CostSource {
        EXACT, LEARNED, TABLE, UNPRICED;

        String column() {
            return name().toLowerCase();
        }
    }

    /** The request's tokens by type, with cache creation's split by cache lifetime when known. */
    public record Tokens(long input, long output, long cacheRead, long cacheCreation, long cacheCreation5m,
                         long cacheCreation1h) {
    }

    /** What telemetry says of the call; every field may be null. */
    public record Call(String requestId, Long durationMs, Long ttftMs, String querySource, String effort, String speed,
                       String agentName, String skillName, String promptId, String userId, String organizationId,
                       String accountUuid, String terminal, String version) {
        public static final Call NONE = new Call(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** Where the session ran: the launcher's project attribute, the transcript's cwd and git branch, its message. */
    public record Place(String project, String cwd, String gitBranch, String messageId) {
        public static final Place NONE = new Place(null, null, null, null);
    }

    /** The ledger key for a request, from the best identity known. */
    public static String key(String requestId, long eventKey, String messageId) {
        if (requestId != null && !requestId.isEmpty()) {
            return "req:" + requestId;
        }
        return messageId != null ? "msg:" + messageId : "evt:" + Long.toHexString(eventKey);
    }
}
