package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.otlp.Encoding;
import dev.tokenmetrics.receiver.otlp.RequestBody;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Set;

/**
 * Decides from the request line and headers alone whether a request may proceed, before any body is buffered:
 * browsers are kept out (no Origin, a loopback Host, which defeats DNS rebinding), then path, method, content
 * type, content encoding and declared length are checked. A refused request is answered at once, and its
 * connection closed once the body that is still arriving has been read and dropped (never buffered); past twice
 * the body limit it is closed regardless.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {

    static final String HEALTH_PATH = "/health";

    private final Responses responses;
    private final Encoding protobuf;
    private final Encoding json;
    private final Set<String> allowedHosts;
    private final int maxWireBytes;
    private ChannelFuture refusalWritten; // set while the body of a refused request is being dropped
    private long discardedBytes;

    RequestGuard(Responses responses, Encoding protobuf, Encoding json, Set<String> allowedHosts, int maxWireBytes) {
        this.responses = responses;
        this.protobuf = protobuf;
        this.json = json;
        this.allowedHosts = allowedHosts;
        this.maxWireBytes = maxWireBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            String refusal = null;
            Encoding encoding = null;
            HttpResponseStatus status = null;
            if (request.decoderResult().isFailure()) {
                status = HttpResponseStatus.BAD_REQUEST;
                refusal = "malformed HTTP request";
            } else if (request.headers().contains(HttpHeaderNames.ORIGIN)) {
                status = HttpResponseStatus.FORBIDDEN;
                refusal = "browser requests (with an Origin header) are not accepted";
            } else if (!isAllowedHost(request.headers().get(HttpHeaderNames.HOST))) {
                status = HttpResponseStatus.FORBIDDEN;
                refusal = "Host must name this machine's loopback address";
            } else {
                String path = path(request.uri());
                Signal signal = Signal.forPath(path);
                if (path.equals(HEALTH_PATH)) {
                    if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                        status = HttpResponseStatus.METHOD_NOT_ALLOWED;
                        refusal = "use GET for " + HEALTH_PATH;
                    }
                } else if (signal == null) {
                    status = HttpResponseStatus.NOT_FOUND;
                    refusal = "unknown path " + path + "; OTLP/HTTP paths are /v1/metrics, /v1/logs and /v1/traces";
                } else if (!request.method().equals(HttpMethod.POST)) {
                    status = HttpResponseStatus.METHOD_NOT_ALLOWED;
                    refusal = "use POST for " + path;
                } else {
                    encoding = Encoding.forContentType(request.headers().get(HttpHeaderNames.CONTENT_TYPE), protobuf, json);
                    if (encoding == null) {
                        status = HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE;
                        refusal = "Content-Type must be application/x-protobuf or application/json";
                    } else if (!RequestBody.isSupportedEncoding(request.headers().get(HttpHeaderNames.CONTENT_ENCODING))) {
                        status = HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE;
                        refusal = "Content-Encoding must be gzip or identity";
                    } else if (HttpUtil.getContentLength(request, -1L) > maxWireBytes) {
                        status = HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
                        refusal = "body exceeds " + maxWireBytes + " bytes";
                    }
                }
            }
            if (refusal != null) {
                boolean bodyFollows = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                if (bodyFollows) {
                    discardedBytes = 0;
                    refusalWritten = responses.errorBeforeBodyEnds(ctx, status, encoding, refusal);
                } else {
                    responses.error(ctx, false, status, encoding, refusal);
                }
                return;
            }
        } else if (refusalWritten != null && msg instanceof HttpContent content) {
            discardedBytes += content.content().readableBytes();
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last || discardedBytes > 2L * maxWireBytes) {
                refusalWritten.addListener(ChannelFutureListener.CLOSE); // after the answer is out
                refusalWritten = null;
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** A missing Host (HTTP/1.0) cannot come from a browser; a present one must name an allowed host. */
    private boolean isAllowedHost(String host) {
        if (host == null) {
            return true;
        }
        String name = host.trim().toLowerCase();
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            name = close < 0 ? name : name.substring(1, close);
        } else {
            int colon = name.lastIndexOf(':');
            name = colon < 0 ? name : name.substring(0, colon);
        }
        return allowedHosts.contains(name) || isLoopbackName(name);
    }

    static boolean isLoopbackName(String name) {
        if (name.equals("localhost") || name.endsWith(".localhost") || name.equals("::1")
                || name.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] octets = name.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }
}
