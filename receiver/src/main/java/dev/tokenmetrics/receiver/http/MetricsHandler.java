package dev.tokenmetrics.receiver.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * Answers {@code GET /metrics}: renders the {@link Scrape} on its own thread, so that a slow read of the ledger
 * never holds up an export on the event loop; passes every other request on.
 */
@ChannelHandler.Sharable
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = Logger.getLogger(MetricsHandler.class.getName());

    private final Scrape scrape;
    private final Responses responses;
    private final Executor renderer;

    MetricsHandler(Scrape scrape, Responses responses, Executor renderer) {
        super(false);
        this.scrape = scrape;
        this.responses = responses;
        this.renderer = renderer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (Route.of(ctx.channel()) != Route.Page.METRICS) {
            ctx.fireChannelRead(request);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        request.release();
        try {
            renderer.execute(() -> answer(ctx, keepAlive, accept));
        } catch (RejectedExecutionException e) { // the server is closing
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, boolean keepAlive, String accept) {
        Scrape.Scraped page;
        try {
            page = scrape.render(accept);
        } catch (RuntimeException e) {
            LOG.warning("/metrics: " + e);
            responses.send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                    ("could not render the metrics: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        responses.send(ctx, keepAlive, HttpResponseStatus.OK, page.contentType(), page.body());
    }
}
