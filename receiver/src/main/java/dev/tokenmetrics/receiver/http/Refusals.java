package dev.tokenmetrics.receiver.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers every {@link Refusal} at once and drops the refused request's content as it arrives, never buffering it.
 * A refusal that keeps the connection leaves it ready for the next request; one that closes it closes it only once
 * the body has been read (closing with unread bytes resets the connection, and a reset can destroy the answer before
 * the client has read it), or once more than twice the body limit has been dropped.
 */
final class Refusals extends ChannelInboundHandlerAdapter {

    private final Responses responses;
    private final int maxWireBytes;
    private ChannelFuture answered;   // set while a refused request's content is being dropped
    private boolean closeAfterContent;
    private long droppedBytes;

    Refusals(Responses responses, int maxWireBytes) {
        this.responses = responses;
        this.maxWireBytes = maxWireBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Refusal refusal) {
            answer(ctx, refusal);
        } else if (answered != null && msg instanceof HttpContent content) {
            drop(content);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx, Refusal refusal) {
        ChannelFuture written = refusal.keepAlive() || !refusal.contentFollows()
                ? responses.error(ctx, refusal.keepAlive(), refusal.status(), refusal.encoding(), refusal.message())
                : responses.errorBeforeBodyEnds(ctx, refusal.status(), refusal.encoding(), refusal.message());
        if (refusal.contentFollows()) {
            answered = written;
            closeAfterContent = !refusal.keepAlive();
            droppedBytes = 0;
        }
    }

    private void drop(HttpContent content) {
        droppedBytes += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        ReferenceCountUtil.release(content);
        boolean tooMuch = droppedBytes > 2L * maxWireBytes;
        if (last || tooMuch) {
            if (closeAfterContent || tooMuch) {
                answered.addListener(ChannelFutureListener.CLOSE); // after the answer is out
            }
            answered = null;
        }
    }
}
