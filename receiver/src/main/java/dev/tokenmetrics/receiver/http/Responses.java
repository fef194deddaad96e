package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.otlp.Encoding;
import dev.tokenmetrics.receiver.otlp.RpcStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/** Every response the server sends goes through here; errors all through {@link #error}. */
final class Responses {

    private final Encoding json;

    Responses(Encoding json) {
        this.json = json;
    }

    ChannelFuture send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus code, String contentType,
                       byte[] body) {
        return send(ctx, keepAlive, response(keepAlive, code, contentType, body));
    }

    /**
     * A response for a browser (the dashboard): a strict Content-Security-Policy (nothing but this origin, no inline
     * script or style, no framing), no MIME sniffing, no caching, no referrer; and no CORS header, ever.
     */
    ChannelFuture sendToBrowser(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus code,
                                String contentType, byte[] body) {
        return sendToBrowser(ctx, keepAlive, code, contentType, body, Map.of());
    }

    /** The same, with the answer's own headers too. */
    ChannelFuture sendToBrowser(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus code,
                                String contentType, byte[] body, Map<String, String> headers) {
        return sendToBrowser(ctx, keepAlive, code, contentType, Unpooled.wrappedBuffer(body), headers);
    }

    /** The same, from a buffer (released once written). */
    ChannelFuture sendToBrowser(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus code,
                                String contentType, ByteBuf body, Map<String, String> headers) {
        FullHttpResponse response = response(keepAlive, code, contentType, body);
        headers.forEach(response.headers()::set);
        response.headers()
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set("Referrer-Policy", "no-referrer")
                .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
                .set("Cross-Origin-Resource-Policy", "same-origin");
        return send(ctx, keepAlive, response);
    }

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private static ChannelFuture send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        return written;
    }

    private static FullHttpResponse response(boolean keepAlive, HttpResponseStatus code, String contentType,
                                             byte[] body) {
        return response(keepAlive, code, contentType, Unpooled.wrappedBuffer(body));
    }

    private static FullHttpResponse response(boolean keepAlive, HttpResponseStatus code, String contentType,
                                             ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, code, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return response;
    }

    /**
     * A {@code google.rpc.Status} in the request's encoding, or JSON when the encoding is unknown.
     * 429 and 503 tell OTLP clients to retry; every other 4xx tells them not to.
     */
    ChannelFuture error(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus code, Encoding encoding,
                        String message) {
        Encoding chosen = encoding != null ? encoding : json;
        return send(ctx, keepAlive, code, chosen.contentType(), chosen.status(grpcCode(code), message));
    }

    /**
     * An error that announces {@code Connection: close} but leaves the closing to the caller, who reads the rest of
     * the request first: closing with unread bytes resets the connection, and a reset can destroy the answer before
     * the client has read it.
     */
    ChannelFuture errorBeforeBodyEnds(ChannelHandlerContext ctx, HttpResponseStatus code, Encoding encoding,
                                      String message) {
        Encoding chosen = encoding != null ? encoding : json;
        return ctx.writeAndFlush(response(false, code, chosen.contentType(), chosen.status(grpcCode(code), message)));
    }

    private static int grpcCode(HttpResponseStatus code) {
        return switch (code.code()) {
            case 400, 413, 415 -> RpcStatus.INVALID_ARGUMENT;
            case 403 -> RpcStatus.PERMISSION_DENIED;
            case 404 -> RpcStatus.NOT_FOUND;
            case 405 -> RpcStatus.UNIMPLEMENTED;
            case 429 -> RpcStatus.RESOURCE_EXHAUSTED;
            case 503 -> RpcStatus.UNAVAILABLE;
            default -> RpcStatus.INTERNAL;
        };
    }
}
