package dev.tokenmetrics.reports;

import java.time.Instant;

/** An assistant line of a Claude Code transcript, in the shape Claude Code 2.1 writes (fields trimmed to the used). */
final class TranscriptLine {
    private TranscriptLine() {
    }

    static String assistant(String session, String cwd, String branch, Instant at, String messageId,
                            String requestId, String model, long input, long output, long cacheCreation,
                            long cacheRead) {
        return "{\"parentUuid\":null,\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"" + cwd
                + "\",\"sessionId\":\"" + session + "\",\"version\":\"2.1.331\",\"gitBranch\":\"" + branch
                + "\",\"message\":{\"id\":\"" + messageId + "\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"" + model + "\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],"
                + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + input
                + ",\"cache_creation_input_tokens\":" + cacheCreation + ",\"cache_read_input_tokens\":" + cacheRead
                + ",\"output_tokens\":" + output + ",\"service_tier\":\"standard\"}},\"requestId\":\"" + requestId
                + "\",\"type\":\"assistant\",\"uuid\":\"" + messageId + "-" + at.toEpochMilli()
                + "\",\"timestamp\":\"" + at + "\"}\n";
    }
}
