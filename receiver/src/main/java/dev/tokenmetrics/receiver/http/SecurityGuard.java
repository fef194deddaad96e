package dev.tokenmetrics.receiver.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.Set;

/**
 * Keeps browsers out, from the request line and headers alone: a request with an Origin header is refused, and so
 * is one whose Host does not name this machine's loopback address, which defeats DNS rebinding; so is a request the
 * codec could not parse. Such a request is passed on as a {@link Refusal} that closes its connection: after a
 * malformed request the codec cannot find the next one, and a browser's connection is not ours to keep serving.
 */
@ChannelHandler.Sharable
final class SecurityGuard extends ChannelInboundHandlerAdapter {

    private final Set<String> allowedHosts;

    /** {@code allowedHosts}: names besides the loopback ones that a Host header may give, in lower case. */
    SecurityGuard(Set<String> allowedHosts) {
        this.allowedHosts = allowedHosts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            Refusal refusal = check(request);
            if (refusal != null) {
                ReferenceCountUtil.release(request);
                ctx.fireChannelRead(refusal);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private Refusal check(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return Refusal.closing(request, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
        }
        if (request.headers().contains(HttpHeaderNames.ORIGIN)) {
            return Refusal.closing(request, HttpResponseStatus.FORBIDDEN,
                    "browser requests (with an Origin header) are not accepted");
        }
        if (!isAllowedHost(request.headers().get(HttpHeaderNames.HOST))) {
            return Refusal.closing(request, HttpResponseStatus.FORBIDDEN,
                    "Host must name this machine's loopback address");
        }
        return null;
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
