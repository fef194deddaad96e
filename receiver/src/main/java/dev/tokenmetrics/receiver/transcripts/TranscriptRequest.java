package dev.tokenmetrics.receiver.transcripts;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * One Claude Code API request as its transcript recorded it: the final line of one assistant message.
 *
 * <p>A message streamed over several lines shares {@code messageId} and {@code requestId}; the tokens here are
 * those of its last line. Across reads (and across files: older Claude Code copied history into a resumed
 * session's file) a caller dedupes by {@link #key()}, the later line winning.
 *
 * @param requestId the API's {@code request-id} response header, {@code null} when the server sent none
 * @param agentId the subagent's id, {@code null} on the main thread
 * @param speed {@code usage.speed}, {@code null} when absent
 * @param serviceTier {@code usage.service_tier}, {@code null} when absent
 * @param cacheCreation5mTokens {@code usage.cache_creation.ephemeral_5m_input_tokens}, 0 when absent
 * @param cacheCreation1hTokens {@code usage.cache_creation.ephemeral_1h_input_tokens}, 0 when absent
 * @param offset the byte offset in {@code transcript} of the line these values come from
 */
public record TranscriptRequest(
        String sessionId,
        String requestId,
        String messageId,
        String model,
        Instant timestamp,
        String cwd,
        String gitBranch,
        String version,
        boolean isSidechain,
        String agentId,
        long inputTokens,
        long outputTokens,
        long cacheReadTokens,
        long cacheCreationTokens,
        long cacheCreation5mTokens,
        long cacheCreation1hTokens,
        String speed,
        String serviceTier,
        Path transcript,
        long offset) implements TranscriptEntry {

    public TranscriptRequest {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(transcript, "transcript");
    }

    /** What identifies one API request wherever it was written: the message id and the request id, if any. */
    public String key() {
        return requestId == null ? messageId : messageId + ':' + requestId;
    }
}
