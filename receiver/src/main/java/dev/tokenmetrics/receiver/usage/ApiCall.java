package dev.tokenmetrics.receiver.usage;

/**
 * What a {@code claude_code.api_request} event says of one API call, for the usage ledger: the API's request-id,
 * exact tokens (with cache creation by lifetime), Claude Code's own cost as the decimal it sent ({@code costUsd},
 * null when absent), timings, what the call was for and who made it, and the resource's version and project. Any
 * text may be null; a token count Claude Code did not send is 0.
 */
public record ApiCall(
        String requestId,
        long inputTokens,
        long outputTokens,
        long cacheReadTokens,
        long cacheCreationTokens,
        long cacheCreation5mTokens,
        long cacheCreation1hTokens,
        String costUsd,
        Long durationMs,
        Long ttftMs,
        String querySource,
        String effort,
        String speed,
        String agentName,
        String skillName,
        String promptId,
        String userId,
        String organizationId,
        String accountUuid,
        String terminal,
        String version,
        String project,
        String gitBranch) {
}
