package dev.tokenmetrics.receiver.http;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that idles past the idle timeout (signalled by an IdleStateHandler before it), or whose
 * request does not arrive whole within the request timeout: a client trickling bytes cannot hold a slot forever.
 */
final class SlowClientGuard extends ChannelInboundHandlerAdapter {

    private final Duration requestTimeout;
    private ScheduledFuture<?> deadline;

    SlowClientGuard(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest && deadline == null) {
            deadline = ctx.executor().schedule(() -> ctx.close(), requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (msg instanceof LastHttpContent) {
            cancelDeadline();
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
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
