package dev.tokenmetrics.receiver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.otlp.JsonEncoding;
import dev.tokenmetrics.receiver.otlp.ProtobufEncoding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What becomes of a refused request's connection: kept for the next request when the client asked to keep it and no
 * body is on its way; otherwise closed, after the body has been read and dropped, or once it runs past twice the
 * body limit. The security guard's refusals always close.
 */
class RefusalsTest {

    private static final int MAX_WIRE_BYTES = 10;

    private final JsonEncoding json = new JsonEncoding();
    private final EmbeddedChannel channel = new EmbeddedChannel(new SecurityGuard(Set.of()),
            new RequestRouter(new ProtobufEncoding(), json, MAX_WIRE_BYTES),
            new Refusals(new Responses(json), MAX_WIRE_BYTES));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aRefusedRequestWithoutABodyKeepsTheConnectionForTheNextRequest() {
        channel.writeInbound(request("GET", "/nowhere", null), LastHttpContent.EMPTY_LAST_CONTENT);

        FullHttpResponse refusal = answer();
        assertEquals(404, refusal.status().code());
        assertEquals(HttpHeaderValues.KEEP_ALIVE.toString(), refusal.headers().get(HttpHeaderNames.CONNECTION));
        assertTrue(channel.isOpen());
        assertNull(channel.readInbound(), "the request's end is dropped with it");

        HttpRequest next = request("GET", "/health", null);
        channel.writeInbound(next, LastHttpContent.EMPTY_LAST_CONTENT);

        assertSame(next, channel.readInbound());
        assertSame(LastHttpContent.EMPTY_LAST_CONTENT, channel.readInbound(), "the next request's end goes on");
    }

    @Test
    void aRefusedRequestWithAnEmptyBodyKeepsTheConnection() {
        channel.writeInbound(request("POST", "/health", "0"), LastHttpContent.EMPTY_LAST_CONTENT);

        FullHttpResponse refusal = answer();
        assertEquals(405, refusal.status().code());
        assertEquals(HttpHeaderValues.KEEP_ALIVE.toString(), refusal.headers().get(HttpHeaderNames.CONNECTION));
        assertTrue(channel.isOpen());
    }

    @Test
    void aRefusedRequestWithoutABodyClosesTheConnectionWhenTheClientAskedToClose() {
        HttpRequest request = request("GET", "/nowhere", null);
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);

        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);

        assertEquals("close", answer().headers().get(HttpHeaderNames.CONNECTION));
        assertFalse(channel.isOpen());
    }

    @Test
    void anHttp10RequestWithoutKeepAliveClosesTheConnection() {
        HttpRequest request = request("DELETE", "/health", null);
        request.setProtocolVersion(HttpVersion.HTTP_1_0);

        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);

        assertEquals(405, answer().status().code());
        assertFalse(channel.isOpen());
    }

    @Test
    void aRefusedBodyIsAnsweredAtOnceDroppedAsItArrivesAndThenTheConnectionCloses() {
        channel.writeInbound(request("POST", "/v1/profiles", "6"));

        FullHttpResponse refusal = answer();
        assertEquals(404, refusal.status().code());
        assertEquals("close", refusal.headers().get(HttpHeaderNames.CONNECTION), "announced before the body");
        assertTrue(channel.isOpen(), "open while the body arrives: closing on unread bytes would reset it");

        ByteBuf first = Unpooled.wrappedBuffer(new byte[3]);
        ByteBuf last = Unpooled.wrappedBuffer(new byte[3]);
        channel.writeInbound(new DefaultHttpContent(first));
        assertTrue(channel.isOpen());
        channel.writeInbound(new DefaultLastHttpContent(last));

        assertFalse(channel.isOpen());
        assertNull(channel.readInbound(), "nothing of the body goes on");
        assertEquals(0, first.refCnt() + last.refCnt(), "dropped, not buffered");
    }

    @Test
    void aBodyRunningPastTwiceTheLimitClosesTheConnectionBeforeItEnds() {
        channel.writeInbound(RequestRouterTest.request("POST", "/v1/metrics", "application/x-protobuf", null, "1000"));
        assertEquals(413, answer().status().code());

        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[2 * MAX_WIRE_BYTES])));
        assertTrue(channel.isOpen(), "up to twice the limit is read and dropped");
        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1])));

        assertFalse(channel.isOpen());
    }

    @Test
    void theSecurityGuardsRefusalsCloseTheConnectionEvenWithoutABody() {
        HttpRequest request = request("GET", "/health", null);
        request.headers().set(HttpHeaderNames.ORIGIN, "https://evil.example");

        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);

        FullHttpResponse refusal = answer();
        assertEquals(403, refusal.status().code());
        assertEquals("close", refusal.headers().get(HttpHeaderNames.CONNECTION));
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
    }

    @Test
    void aRoutedRequestAndItsBodyPassThrough() {
        HttpRequest request = RequestRouterTest.request("POST", "/v1/metrics", "application/x-protobuf", null, "3");
        var body = new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[3]));

        channel.writeInbound(request, body);

        assertSame(request, channel.readInbound());
        assertSame(body, channel.readInbound());
        assertNull(channel.readOutbound(), "no answer from here");
        body.release();
    }

    private FullHttpResponse answer() {
        FullHttpResponse response = channel.readOutbound();
        assertTrue(response != null, "answered at once");
        response.release();
        return response;
    }

    private static HttpRequest request(String method, String uri, String contentLength) {
        return RequestRouterTest.request(method, uri, null, null, contentLength);
    }
}
