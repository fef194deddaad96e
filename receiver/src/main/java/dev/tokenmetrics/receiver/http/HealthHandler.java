package dev.tokenmetrics.receiver.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tokenmetrics.receiver.forward.ForwardStats;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;

/** Answers {@code GET /health} with the daemon's identity and state; passes every other request on. */
@ChannelHandler.Sharable
final class HealthHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final Function<String, Health> health;
    private final Responses responses;
    private final JsonFactory factory = new JsonFactory();

    /** {@code health} takes the launch id to exclude from the active sessions, or null. */
    HealthHandler(Function<String, Health> health, Responses responses) {
        super(false);
        this.health = health;
        this.responses = responses;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (Route.of(ctx.channel()) != Route.Page.HEALTH) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            List<String> exclude = new QueryStringDecoder(request.uri()).parameters().get("exclude-launch");
            Health current = health.apply(exclude == null || exclude.isEmpty() ? null : exclude.get(0));
            responses.send(ctx, HttpUtil.isKeepAlive(request), HttpResponseStatus.OK, "application/json", render(current));
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    private byte[] render(Health health) {
        var out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = factory.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("status", health.status());
            json.writeStringField("service", Health.SERVICE);
            json.writeStringField("version", health.version());
            json.writeNumberField("pid", health.pid());
            json.writeNumberField("uptimeSeconds", health.uptimeSeconds());
            json.writeNumberField("sessions", health.sessions());
            json.writeNumberField("activeSessions", health.activeSessions());
            json.writeStringField("metricsFile", health.metricsFile());
            json.writeArrayFieldStart("problems");
            for (String problem : health.problems()) {
                json.writeString(problem);
            }
            json.writeEndArray();
            if (health.forwarding() != null) {
                forwarding(json, health.forwarding());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toByteArray();
    }

    private static void forwarding(JsonGenerator json, ForwardStats forwarding) throws IOException {
        json.writeObjectFieldStart("forwarding");
        json.writeStringField("endpoint", forwarding.endpoint());
        json.writeNumberField("queuedExports", forwarding.queuedExports());
        json.writeNumberField("queuedBytes", forwarding.queuedBytes());
        json.writeNumberField("sentExports", forwarding.sentExports());
        json.writeNumberField("retries", forwarding.retries());
        json.writeNumberField("droppedExports", forwarding.droppedExports());
        json.writeNumberField("failedExports", forwarding.failedExports());
        json.writeNumberField("rejectedItems", forwarding.rejectedItems());
        json.writeNumberField("queueWriteFailures", forwarding.queueWriteFailures());
        json.writeStringField("lastError", forwarding.lastError());
        json.writeEndObject();
    }
}
