package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.otlp.Encoding;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Logger;

/**
 * Refuses with 400 a request whose body framing broke (a bad chunk-size line, an overlong chunk extension): the
 * codec marks the failing chunk and the aggregator carries the mark onto the whole request. What did arrive is not
 * the body the client sent, so it is never counted; and the codec cannot tell where the next request starts, so
 * the connection closes.
 */
@ChannelHandler.Sharable
final class FramingGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(FramingGuard.class.getName());

    private final Responses responses;

    FramingGuard(Responses responses) {
        this.responses = responses;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request && request.decoderResult().isFailure()) {
            String message = "malformed body framing: " + request.decoderResult().cause().getMessage();
            Route route = Route.of(ctx.channel());
            Encoding encoding = route instanceof Route.Export export ? export.encoding() : null;
            LOG.info(route.path() + ": 400 " + message);
            ReferenceCountUtil.release(request);
            responses.error(ctx, false, HttpResponseStatus.BAD_REQUEST, encoding, message);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
