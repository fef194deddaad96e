package dev.tokenmetrics.receiver.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request does not arrive whole within the request timeout of its first byte, so that
 * clients trickling bytes cannot hold the capped connections for long. A new connection's clock starts at accept:
 * one that sends nothing is closed at the same deadline, not only at the idle timeout. Between requests a
 * connection may idle until the idle timeout (signalled by an IdleStateHandler before this guard), since a client
 * keeps its connection for its next export.
 * <p>
 * The guard sits on both sides of the HTTP codec: before it, where a request's first byte is read, and after it
 * ({@link #requestEnds()}), where the request is seen whole. A request whose first bytes come in the same read as
 * the end of the request before it is timed from the next read.
 */
final class SlowClientGuard extends ChannelInboundHandlerAdapter {

    private final Duration requestTimeout;
    private ScheduledFuture<?> deadline; // set while a request is arriving

    SlowClientGuard(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    /** The guard's other half, for after the codec: a request's last content stops the clock. */
    ChannelHandler requestEnds() {
        return new RequestEnds();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startClock(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf && deadline == null) {
            startClock(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopClock();
        ctx.fireChannelInactive();
    }

    private void startClock(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> ctx.close(), requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void stopClock() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private final class RequestEnds extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LastHttpContent) {
                stopClock();
            }
            ctx.fireChannelRead(msg);
        }
    }
}
