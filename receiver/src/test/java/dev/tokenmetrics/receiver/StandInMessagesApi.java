package dev.tokenmetrics.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * A stand-in for the Anthropic Messages API on loopback, so that the real Claude Code CLI runs offline. Every call
 * gets different usage figures, and the sums of what was served are kept: the truth the receiver must match.
 */
public final class StandInMessagesApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final AtomicInteger numbered = new AtomicInteger();
    /** Each response's request-id, unique like the real API's: telemetry and transcripts both record it. */
    private final String requestIdPrefix = "req_standin_" + Long.toHexString(System.nanoTime()) + "_";
    /** Calls whose usage is in {@link #served}: counted after it, so whoever sees a call sees its tokens. */
    private final AtomicInteger calls = new AtomicInteger();
    /** input, output, cacheRead, cacheCreation served so far. */
    private final AtomicLongArray served = new AtomicLongArray(4);

    /** A call's usage by its number (1, 2, …): input, output, cache read, cache creation. */
    private final IntFunction<long[]> usage;

    public StandInMessagesApi() throws IOException {
        this(1);
    }

    /** Multiplies every call's usage by {@code scale}, for costs large enough to read in dollars and cents. */
    public StandInMessagesApi(long scale) throws IOException {
        this(call -> new long[] {(1000 + call) * scale, (40 + call) * scale, 300L * call * scale, 20L * call * scale});
    }

    /** Answers call n with {@code usage.apply(n)}: input, output, cache read, cache creation tokens. */
    public StandInMessagesApi(IntFunction<long[]> usage) throws IOException {
        this.usage = usage;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int calls() {
        return calls.get();
    }

    public long served(int type) {
        return served.get(type);
    }

    public long servedTotal() {
        return served.get(0) + served.get(1) + served.get(2) + served.get(3);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] requestBody = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("POST") || !path.equals("/v1/messages")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            JsonNode request = JSON.readTree(requestBody);
            int call = numbered.incrementAndGet();
            long[] tokens = usage.apply(call);
            long input = tokens[0];
            long output = tokens[1];
            long cacheRead = tokens[2];
            long cacheCreation = tokens[3];
            served.addAndGet(0, input);
            served.addAndGet(1, output);
            served.addAndGet(2, cacheRead);
            served.addAndGet(3, cacheCreation);
            calls.incrementAndGet();
            String model = request.path("model").asText("claude-sonnet-4-5");
            String requestId = requestIdPrefix + call;
            if (request.path("stream").asBoolean(false)) {
                stream(exchange, requestId, call, model, input, output, cacheRead, cacheCreation);
            } else {
                whole(exchange, requestId, call, model, input, output, cacheRead, cacheCreation);
            }
        }
    }

    private static ObjectNode message(int call, String model, long input, long output, long cacheRead, long cacheCreation) {
        ObjectNode message = JSON.createObjectNode()
                .put("id", "msg_standin_" + call).put("type", "message").put("role", "assistant").put("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", input).put("output_tokens", output)
                .put("cache_read_input_tokens", cacheRead).put("cache_creation_input_tokens", cacheCreation);
        return message;
    }

    private static void whole(HttpExchange exchange, String requestId, int call, String model, long input,
                              long output, long cacheRead,
                              long cacheCreation) throws IOException {
        ObjectNode message = message(call, model, input, output, cacheRead, cacheCreation);
        message.putArray("content").addObject().put("type", "text").put("text", "Hi there!");
        message.put("stop_reason", "end_turn");
        send(exchange, requestId, "application/json", JSON.writeValueAsBytes(message));
    }

    /** The streaming shape: usage in message_start, final output tokens in message_delta. */
    private static void stream(HttpExchange exchange, String requestId, int call, String model, long input,
                               long output, long cacheRead,
                               long cacheCreation) throws IOException {
        ObjectNode start = JSON.createObjectNode().put("type", "message_start");
        ObjectNode message = message(call, model, input, 1, cacheRead, cacheCreation);
        start.set("message", message);
        ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        ObjectNode blockDelta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
        blockDelta.putObject("delta").put("type", "text_delta").put("text", "Hi there!");
        ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", output);
        var events = new StringBuilder();
        event(events, "message_start", start);
        event(events, "content_block_start", blockStart);
        event(events, "content_block_delta", blockDelta);
        event(events, "content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
        event(events, "message_delta", messageDelta);
        event(events, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
        send(exchange, requestId, "text/event-stream", events.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void event(StringBuilder events, String name, JsonNode data) throws IOException {
        events.append("event: ").append(name).append('\n').append("data: ").append(JSON.writeValueAsString(data)).append("\n\n");
    }

    private static void send(HttpExchange exchange, String requestId, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("request-id", requestId);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
