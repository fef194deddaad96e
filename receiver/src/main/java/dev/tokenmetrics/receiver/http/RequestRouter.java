package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.otlp.Encoding;
import dev.tokenmetrics.receiver.otlp.RequestBody;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Resolves each request's {@link Route} once, from its request line and headers and before any body is buffered:
 * a {@link Route.Page} for GET or HEAD of its path, an {@link Route.Export} for a POST of a signal's path whose
 * Content-Type, Content-Encoding and declared length OTLP/HTTP and our limits allow. The route is set on the channel
 * and the request passed on; a request that has none is passed on as its {@link Refusal} (404, 405, 413 or 415).
 */
@ChannelHandler.Sharable
final class RequestRouter extends ChannelInboundHandlerAdapter {

    // Every route is made here once, so that routing a request allocates nothing.
    private final Map<String, Route.Page> pages = Arrays.stream(Route.Page.values())
            .collect(Collectors.toUnmodifiableMap(Route.Page::path, Function.identity()));
    private final Map<String, Map<Encoding, Route.Export>> exports; // by path, then by encoding
    private final Encoding protobuf;
    private final Encoding json;
    private final int maxWireBytes;
    private final LongAdder requests = new LongAdder(); // every request routed, for HeapTrim's quiet

    RequestRouter(Encoding protobuf, Encoding json, int maxWireBytes) {
        this.protobuf = protobuf;
        this.json = json;
        this.maxWireBytes = maxWireBytes;
        this.exports = Arrays.stream(Signal.values()).collect(Collectors.toUnmodifiableMap(Signal::path,
                signal -> Map.of(protobuf, new Route.Export(signal, protobuf), json, new Route.Export(signal, json))));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            requests.increment();
            route(ctx, request);
        } else {
            ctx.fireChannelRead(msg); // content, or a refusal from the guard before
        }
    }

    /** Requests routed so far, whatever became of them. */
    long requests() {
        return requests.sum();
    }

    private void route(ChannelHandlerContext ctx, HttpRequest request) {
        String path = path(request.uri());
        HttpMethod method = request.method();
        Route.Page page = pages.get(path);
        if (page != null) {
            if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
                pass(ctx, request, page);
            } else {
                refuse(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, null, "use GET for " + path);
            }
            return;
        }
        Map<Encoding, Route.Export> export = exports.get(path);
        if (export == null) {
            refuse(ctx, request, HttpResponseStatus.NOT_FOUND, null,
                    "unknown path " + path + "; OTLP/HTTP paths are /v1/metrics, /v1/logs and /v1/traces");
            return;
        }
        if (!method.equals(HttpMethod.POST)) {
            refuse(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, null, "use POST for " + path);
            return;
        }
        Encoding encoding = Encoding.forContentType(request.headers().get(HttpHeaderNames.CONTENT_TYPE), protobuf, json);
        if (encoding == null) {
            refuse(ctx, request, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, null,
                    "Content-Type must be application/x-protobuf or application/json");
        } else if (!RequestBody.isSupportedEncoding(request.headers().get(HttpHeaderNames.CONTENT_ENCODING))) {
            refuse(ctx, request, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, encoding,
                    "Content-Encoding must be gzip or identity");
        } else if (HttpUtil.getContentLength(request, -1L) > maxWireBytes) {
            refuse(ctx, request, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, encoding,
                    "body exceeds " + maxWireBytes + " bytes");
        } else {
            pass(ctx, request, export.get(encoding));
        }
    }

    private static void pass(ChannelHandlerContext ctx, HttpRequest request, Route route) {
        ctx.channel().attr(Route.KEY).set(route);
        ctx.fireChannelRead(request);
    }

    private static void refuse(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status,
                               Encoding encoding, String message) {
        Refusal refusal = Refusal.of(request, status, encoding, message);
        ReferenceCountUtil.release(request);
        ctx.fireChannelRead(refusal);
    }

    private static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
