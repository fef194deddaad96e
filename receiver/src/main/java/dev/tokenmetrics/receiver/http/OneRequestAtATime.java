package dev.tokenmetrics.receiver.http;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Passes a connection's requests on one at a time, so that pipelined requests are answered in request order as
 * HTTP/1.1 requires, although an export is answered only once its journal record is fsync'd and a health check or a
 * refusal at once. A request decoded before the response to the one ahead of it has been written waits here, and
 * the connection is not read meanwhile; a client that waits for each response never waits here. After a response
 * that closes the connection, the requests behind it are dropped unanswered.
 */
final class OneRequestAtATime extends ChannelDuplexHandler {

    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean awaitingResponse; // a request has gone on and its final response has not been written yet
    private boolean closing;          // a response said Connection: close
    private boolean dropping;         // closing, and a request arrived after it: drop it and all that follows
    private boolean passing;          // inside passWaiting, where a response can be written

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        waiting.add(msg);
        passWaiting(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean finalResponse = msg instanceof HttpResponse response
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL; // not 100 Continue
        if (finalResponse) {
            awaitingResponse = false;
            closing |= !HttpUtil.isKeepAlive((HttpResponse) msg);
        }
        ctx.write(msg, promise);
        if (finalResponse) {
            passWaiting(ctx); // after the write: the next response is queued behind this one
        }
    }

    /** Passes on what waits, in order, up to a request that must wait for the response ahead of it. */
    private void passWaiting(ChannelHandlerContext ctx) {
        if (passing) {
            return; // a response written while passing a request on: the loop below carries on
        }
        passing = true;
        try {
            while (!waiting.isEmpty()) {
                if (waiting.peek() instanceof HttpRequest) {
                    if (awaitingResponse && !closing) {
                        break;
                    }
                    awaitingResponse = true;
                    dropping = closing;
                }
                Object next = waiting.poll();
                if (dropping) {
                    ReferenceCountUtil.release(next);
                } else {
                    ctx.fireChannelRead(next);
                }
            }
        } finally {
            passing = false;
        }
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != waiting.isEmpty()) {
            config.setAutoRead(waiting.isEmpty()); // turned on again, it reads at once
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
        ctx.fireChannelInactive();
    }
}
