package dev.tokenmetrics.receiver.transcripts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tokenmetrics.receiver.transcripts.CostState.ModelTotals;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns one transcript line into a {@link TranscriptEntry}, streaming: only the few fields a request or a cost
 * state needs are decoded, everything else (message content above all, which can be megabytes) is skipped token by
 * token without building anything.
 *
 * <p>Most bytes of a transcript are in lines that cannot be either (prompts, tool results, attachments): a line
 * without the JSON string {@code "assistant"} or {@code "cost-state"} in it is not parsed at all, only checked to
 * have an object's shape (<code>{…}</code>) so that garbage is still counted. (A type spelled with backslash-u
 * escapes would slip past; Claude Code writes plain JSON.)
 *
 * <p>The {@code type} field comes after {@code message} in Claude Code's lines, so the fields are gathered first
 * and the line judged at its end. A line that is not JSON is malformed whatever it was; a line of a type we do not
 * read is never malformed for its content.
 */
final class TranscriptLineParser {

    /** Claude Code's stand-in for a message no API request produced (an error shown as a reply, say). */
    private static final String SYNTHETIC_MODEL = "<synthetic>";

    private static final byte[] ASSISTANT = "\"assistant\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COST_STATE = "\"cost-state\"".getBytes(StandardCharsets.US_ASCII);

    private final JsonFactory json;

    TranscriptLineParser(JsonFactory json) {
        this.json = json;
    }

    /** Why a line cannot be used; thrown without a stack trace, as it is counted, never reported one by one. */
    static final class MalformedLineException extends Exception {
        MalformedLineException(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param lastTimestamp the time of the request before this line, for a cost state (which has none of its own)
     * @return the entry, or {@code null} for a blank line or a line of another type
     */
    TranscriptEntry parse(byte[] bytes, int start, int length, Path transcript, long offset, Instant lastTimestamp)
            throws MalformedLineException {
        if (!mayHoldEntry(bytes, start, length)) {
            checkShape(bytes, start, length);
            return null;
        }
        Fields fields = new Fields();
        try (JsonParser parser = json.createParser(bytes, start, length)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new MalformedLineException("not an object");
            }
            readLine(parser, fields);
            if (parser.nextToken() != null) {
                throw new MalformedLineException("more after the object");
            }
        } catch (IOException notJson) {
            throw new MalformedLineException("not JSON");
        }
        if ("assistant".equals(fields.type)) {
            return request(fields, transcript, offset);
        }
        if ("cost-state".equals(fields.type)) {
            return costState(fields, transcript, offset, lastTimestamp);
        }
        return null;
    }

    /** Whether the line has the JSON string "assistant" or "cost-state" in it: one pass, stopping at quotes only. */
    private static boolean mayHoldEntry(byte[] bytes, int start, int length) {
        int end = start + length;
        for (int i = start; i < end; i++) {
            if (bytes[i] == '"' && (matchesAt(bytes, i, end, ASSISTANT) || matchesAt(bytes, i, end, COST_STATE))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAt(byte[] bytes, int at, int end, byte[] needle) {
        if (at + needle.length > end) {
            return false;
        }
        for (int j = 1; j < needle.length; j++) {
            if (bytes[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }

    /** A line skipped unparsed must at least look like an object (or be blank): garbage and cut lines do not. */
    private static void checkShape(byte[] bytes, int start, int length) throws MalformedLineException {
        int from = start;
        int to = start + length - 1;
        while (from <= to && isWhitespace(bytes[from])) {
            from++;
        }
        while (to >= from && isWhitespace(bytes[to])) {
            to--;
        }
        if (from <= to && (bytes[from] != '{' || bytes[to] != '}')) {
            throw new MalformedLineException("not an object");
        }
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static TranscriptRequest request(Fields f, Path transcript, long offset) throws MalformedLineException {
        f.requireWellTyped();
        if (f.messageId == null || f.model == null || !f.hasUsage || f.sessionId == null || f.timestamp == null) {
            throw new MalformedLineException("an assistant line without message.id, model, usage, sessionId or timestamp");
        }
        if (SYNTHETIC_MODEL.equals(f.model)) {
            return null;
        }
        return new TranscriptRequest(f.sessionId, f.requestId, f.messageId, f.model, instant(f.timestamp), f.cwd,
                f.gitBranch, f.version, f.isSidechain, f.agentId, f.inputTokens, f.outputTokens, f.cacheReadTokens,
                f.cacheCreationTokens, f.cacheCreation5mTokens, f.cacheCreation1hTokens, f.speed, f.serviceTier,
                transcript, offset);
    }

    private static CostState costState(Fields f, Path transcript, long offset, Instant lastTimestamp)
            throws MalformedLineException {
        f.requireWellTyped();
        if (f.sessionId == null || f.totalCostUsd == null) {
            throw new MalformedLineException("a cost-state line without sessionId or totalCostUSD");
        }
        Instant at = f.timestamp != null ? instant(f.timestamp) : lastTimestamp;
        return new CostState(f.sessionId, at, f.totalCostUsd, f.models, transcript, offset);
    }

    private static Instant instant(String text) throws MalformedLineException {
        try {
            return Timestamps.parse(text);
        } catch (DateTimeException e) {
            throw new MalformedLineException("timestamp " + text);
        }
    }

    private static void readLine(JsonParser p, Fields f) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "type" -> f.type = f.text(p, name);
                case "sessionId" -> f.sessionId = f.text(p, name);
                case "requestId" -> f.requestId = f.text(p, name);
                case "timestamp" -> f.timestamp = f.text(p, name);
                case "cwd" -> f.cwd = f.text(p, name);
                case "gitBranch" -> f.gitBranch = f.text(p, name);
                case "version" -> f.version = f.text(p, name);
                case "agentId" -> f.agentId = f.text(p, name);
                case "isSidechain" -> f.isSidechain = f.bool(p, name);
                case "message" -> readMessage(p, f);
                case "totalCostUSD" -> f.totalCostUsd = f.decimal(p, name);
                case "modelUsage" -> readModelUsage(p, f);
                default -> p.skipChildren();
            }
        }
    }

    private static void readMessage(JsonParser p, Fields f) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            f.wrongType("message", p);
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "id" -> f.messageId = f.text(p, name);
                case "model" -> f.model = f.text(p, name);
                case "usage" -> readUsage(p, f);
                default -> p.skipChildren();
            }
        }
    }

    private static void readUsage(JsonParser p, Fields f) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            f.wrongType("usage", p);
            return;
        }
        f.hasUsage = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "input_tokens" -> f.inputTokens = f.count(p, name);
                case "output_tokens" -> f.outputTokens = f.count(p, name);
                case "cache_read_input_tokens" -> f.cacheReadTokens = f.count(p, name);
                case "cache_creation_input_tokens" -> f.cacheCreationTokens = f.count(p, name);
                case "speed" -> f.speed = f.text(p, name);
                case "service_tier" -> f.serviceTier = f.text(p, name);
                case "cache_creation" -> readCacheCreation(p, f);
                default -> p.skipChildren();
            }
        }
    }

    private static void readCacheCreation(JsonParser p, Fields f) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            if (p.currentToken() != JsonToken.VALUE_NULL) {
                f.wrongType("cache_creation", p);
            }
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "ephemeral_5m_input_tokens" -> f.cacheCreation5mTokens = f.count(p, name);
                case "ephemeral_1h_input_tokens" -> f.cacheCreation1hTokens = f.count(p, name);
                default -> p.skipChildren();
            }
        }
    }

    private static void readModelUsage(JsonParser p, Fields f) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            f.wrongType("modelUsage", p);
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String model = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                f.wrongType("modelUsage." + model, p);
                continue;
            }
            BigDecimal cost = null;
            long input = 0;
            long output = 0;
            long cacheRead = 0;
            long cacheCreation = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "costUSD" -> cost = f.decimal(p, name);
                    case "inputTokens" -> input = f.count(p, name);
                    case "outputTokens" -> output = f.count(p, name);
                    case "cacheReadInputTokens" -> cacheRead = f.count(p, name);
                    case "cacheCreationInputTokens" -> cacheCreation = f.count(p, name);
                    default -> p.skipChildren();
                }
            }
            if (cost == null) {
                f.wrongType("modelUsage." + model + ".costUSD", p);
            } else {
                f.models.put(model, new ModelTotals(cost, input, output, cacheRead, cacheCreation));
            }
        }
    }

    /** The fields of one line as they are met; a value of the wrong type is noted, judged once the type is known. */
    private static final class Fields {
        String type;
        String sessionId;
        String requestId;
        String timestamp;
        String cwd;
        String gitBranch;
        String version;
        String agentId;
        boolean isSidechain;
        String messageId;
        String model;
        boolean hasUsage;
        long inputTokens;
        long outputTokens;
        long cacheReadTokens;
        long cacheCreationTokens;
        long cacheCreation5mTokens;
        long cacheCreation1hTokens;
        String speed;
        String serviceTier;
        BigDecimal totalCostUsd;
        final Map<String, ModelTotals> models = new LinkedHashMap<>();
        String wrongType;

        void requireWellTyped() throws MalformedLineException {
            if (wrongType != null) {
                throw new MalformedLineException("wrong type: " + wrongType);
            }
        }

        void wrongType(String name, JsonParser p) throws IOException {
            if (wrongType == null) {
                wrongType = name;
            }
            p.skipChildren();
        }

        String text(JsonParser p, String name) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            if (token != JsonToken.VALUE_NULL) {
                wrongType(name, p);
            }
            return null;
        }

        boolean bool(JsonParser p, String name) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                return token == JsonToken.VALUE_TRUE;
            }
            if (token != JsonToken.VALUE_NULL) {
                wrongType(name, p);
            }
            return false;
        }

        /** A token count: a whole number, not negative; {@code null} counts as none. */
        long count(JsonParser p, String name) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                long value = p.getLongValue();
                if (value >= 0) {
                    return value;
                }
            }
            if (token != JsonToken.VALUE_NULL) {
                wrongType(name, p);
            }
            return 0;
        }

        /** A money amount from its JSON text, so that 0.005024000000000001 stays exactly that. */
        BigDecimal decimal(JsonParser p, String name) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                return new BigDecimal(p.getText());
            }
            wrongType(name, p);
            return null;
        }
    }
}
