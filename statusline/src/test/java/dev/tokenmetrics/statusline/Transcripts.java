package dev.tokenmetrics.statusline;

/** Lines shaped like Claude Code's transcript JSONL. */
final class Transcripts {

    private Transcripts() {
    }

    static String assistant(String messageId, String requestId, long input, long output, long cacheRead, long cacheCreation) {
        return "{\"parentUuid\":\"p\",\"isSidechain\":false,\"type\":\"assistant\",\"message\":{\"id\":\"" + messageId
                + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-opus-4-1\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"usage is not \\\"usage\\\"\"}],\"usage\":{\"input_tokens\":" + input + ",\"output_tokens\":" + output
                + ",\"cache_read_input_tokens\":" + cacheRead + ",\"cache_creation_input_tokens\":" + cacheCreation
                + ",\"service_tier\":\"standard\"}},\"requestId\":\"" + requestId + "\",\"uuid\":\"u\"}\n";
    }

    static String user(String text) {
        return "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"" + text + "\"},\"uuid\":\"u\"}\n";
    }
}
