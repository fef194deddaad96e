package dev.tokenmetrics.receiver.transcripts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Transcript lines shaped like Claude Code 2.1.330's (compact JSON, its field order: {@code message} before
 * {@code type}), for tests and the benchmark corpus. Only what the reader looks at varies; the rest is ballast of
 * the real kind.
 */
final class TranscriptLines {

    private TranscriptLines() {
    }

    /** An assistant line; change what a test needs with the withers. */
    record Assistant(
            String sessionId, String messageId, String requestId, String model, String timestamp, String cwd,
            String gitBranch, boolean isSidechain, String agentId, long input, long output, long cacheRead,
            long cacheCreation, long cache5m, long cache1h, String text) {

        static Assistant of(String sessionId, String messageId) {
            return new Assistant(sessionId, messageId, "req_" + messageId, "claude-opus-5-5",
                    "2026-12-01T08:11:28.285Z", "/home/user/proj", "main", false, null, 1011, 41, 300, 20, 20, 0,
                    "hi");
        }

        Assistant requestId(String value) {
            return new Assistant(sessionId, messageId, value, model, timestamp, cwd, gitBranch, isSidechain, agentId,
                    input, output, cacheRead, cacheCreation, cache5m, cache1h, text);
        }

        Assistant model(String value) {
            return new Assistant(sessionId, messageId, requestId, value, timestamp, cwd, gitBranch, isSidechain,
                    agentId, input, output, cacheRead, cacheCreation, cache5m, cache1h, text);
        }

        Assistant timestamp(String value) {
            return new Assistant(sessionId, messageId, requestId, model, value, cwd, gitBranch, isSidechain, agentId,
                    input, output, cacheRead, cacheCreation, cache5m, cache1h, text);
        }

        Assistant place(String newCwd, String newBranch) {
            return new Assistant(sessionId, messageId, requestId, model, timestamp, newCwd, newBranch, isSidechain,
                    agentId, input, output, cacheRead, cacheCreation, cache5m, cache1h, text);
        }

        Assistant subagent(String id) {
            return new Assistant(sessionId, messageId, requestId, model, timestamp, cwd, gitBranch, true, id, input,
                    output, cacheRead, cacheCreation, cache5m, cache1h, text);
        }

        Assistant tokens(long newInput, long newOutput, long newCacheRead, long newCacheCreation) {
            return new Assistant(sessionId, messageId, requestId, model, timestamp, cwd, gitBranch, isSidechain,
                    agentId, newInput, newOutput, newCacheRead, newCacheCreation, newCacheCreation, 0, text);
        }

        Assistant cacheSplit(long fiveMinutes, long oneHour) {
            return new Assistant(sessionId, messageId, requestId, model, timestamp, cwd, gitBranch, isSidechain,
                    agentId, input, output, cacheRead, fiveMinutes + oneHour, fiveMinutes, oneHour, text);
        }

        Assistant text(String value) {
            return new Assistant(sessionId, messageId, requestId, model, timestamp, cwd, gitBranch, isSidechain,
                    agentId, input, output, cacheRead, cacheCreation, cache5m, cache1h, value);
        }

        String line() {
            StringBuilder json = new StringBuilder(512 + text.length());
            json.append("{\"parentUuid\":\"1d697bb4-ba5a-4665-9b03-3763b00e66dd\",\"isSidechain\":").append(isSidechain);
            if (agentId != null) {
                json.append(",\"agentId\":").append(quote(agentId));
            }
            json.append(",\"message\":{\"id\":").append(quote(messageId))
                    .append(",\"type\":\"message\",\"role\":\"assistant\",\"model\":").append(quote(model))
                    .append(",\"content\":[{\"type\":\"text\",\"text\":").append(quote(text))
                    .append("}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":")
                    .append(input).append(",\"cache_creation_input_tokens\":").append(cacheCreation)
                    .append(",\"cache_read_input_tokens\":").append(cacheRead).append(",\"output_tokens\":")
                    .append(output).append(",\"output_tokens_details\":{\"thinking_tokens\":0},"
                            + "\"server_tool_use\":{\"web_search_requests\":0,\"web_fetch_requests\":0},"
                            + "\"service_tier\":\"standard\",\"cache_creation\":{\"ephemeral_1h_input_tokens\":")
                    .append(cache1h).append(",\"ephemeral_5m_input_tokens\":").append(cache5m)
                    .append("},\"inference_geo\":\"\",\"iterations\":[],\"speed\":\"standard\",\"fallback_credit\":null},"
                            + "\"stop_details\":null},\"apiBlockIndex\":0");
            if (requestId != null) {
                json.append(",\"requestId\":").append(quote(requestId));
            }
            json.append(",\"requestRef\":\"38a43ec3-83b2-4f6e-82e9-16b00d5cd47b\",\"requestedModel\":").append(quote(model))
                    .append(",\"type\":\"assistant\",\"uuid\":\"cd9c10ce-6674-4094-8b35-a83dfaf97b47\",\"timestamp\":")
                    .append(quote(timestamp))
                    .append(",\"effort\":\"medium\",\"userType\":\"external\",\"entrypoint\":\"cli\",\"cwd\":")
                    .append(quote(cwd)).append(",\"sessionId\":").append(quote(sessionId))
                    .append(",\"version\":\"2.1.330\",\"gitBranch\":").append(quote(gitBranch)).append("}\n");
            return json.toString();
        }
    }

    /** A cost-state line with one model's totals. */
    static String costState(String sessionId, String totalCostUsd, String model, String modelCostUsd, long input,
            long output, long cacheRead, long cacheCreation) {
        return "{\"type\":\"cost-state\",\"sessionId\":" + quote(sessionId) + ",\"totalCostUSD\":" + totalCostUsd
                + ",\"totalAPIDuration\":86,\"totalDuration\":1709,\"startTime\":1796112686646,\"modelUsage\":{"
                + modelUsage(model, modelCostUsd, input, output, cacheRead, cacheCreation)
                + "},\"hasUnknownModelCost\":false}\n";
    }

    /** One {@code "model":{...}} entry of a cost state's {@code modelUsage}. */
    static String modelUsage(String model, String costUsd, long input, long output, long cacheRead,
            long cacheCreation) {
        return quote(model) + ":{\"inputTokens\":" + input + ",\"outputTokens\":" + output
                + ",\"thinkingTokens\":0,\"cacheReadInputTokens\":" + cacheRead + ",\"cacheCreationInputTokens\":"
                + cacheCreation + ",\"cacheCreationEphemeral5mInputTokens\":0,"
                + "\"cacheCreationEphemeral1hInputTokens\":0,\"webSearchRequests\":0,\"costUSD\":" + costUsd + "}";
    }

    /** A user line (a prompt or a tool result): what the reader must skip, however long. */
    static String user(String sessionId, String content) {
        return "{\"parentUuid\":null,\"isSidechain\":false,\"type\":\"user\",\"message\":{\"role\":\"user\","
                + "\"content\":[{\"type\":\"tool_result\",\"content\":" + quote(content) + "}]},"
                + "\"uuid\":\"66c18466-2ec9-48ca-a93d-39706c698a76\",\"timestamp\":\"2026-12-01T08:11:28.058Z\","
                + "\"cwd\":\"/home/user/proj\",\"sessionId\":" + quote(sessionId)
                + ",\"version\":\"2.1.330\",\"gitBranch\":\"main\"}\n";
    }

    /** An {@code api-request} record, one per request before its response. */
    static String apiRequest(String sessionId, String id, String model) {
        return "{\"type\":\"api-request\",\"sessionId\":" + quote(sessionId) + ",\"id\":" + quote(id)
                + ",\"timestamp\":\"2026-12-01T08:11:28.253Z\",\"version\":\"2.1.330\",\"querySource\":\"sdk\","
                + "\"params\":{\"model\":" + quote(model) + ",\"max_tokens\":128000}}\n";
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static Path append(Path file, String... lines) throws IOException {
        Files.createDirectories(file.getParent());
        for (String line : lines) {
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
        return file;
    }
}
