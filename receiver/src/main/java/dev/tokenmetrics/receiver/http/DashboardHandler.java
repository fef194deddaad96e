package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.query.DashboardApi;
import dev.tokenmetrics.query.DashboardPage;
import dev.tokenmetrics.query.command.CommandApi;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * Answers the dashboard's routes (docs/DASHBOARD.md): its page and files from memory, on the event loop; its API
 * on a thread of its own, one query at a time (a query may read a year of the ledger: it must neither hold up an
 * export nor run beside another); {@code /api/v1/cli}, the report command for its launcher ({@link CommandApi}), on
 * the same thread. Every answer carries the browser headers of {@link Responses#sendToBrowser}.
 * Passes every other request on.
 */
@ChannelHandler.Sharable
final class DashboardHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = Logger.getLogger(DashboardHandler.class.getName());

    private final Map<String, DashboardPage.Asset> assets = DashboardPage.assets();
    private final DashboardApi api;
    private final CommandApi commands;
    private final Responses responses;
    private final Executor queries;

    DashboardHandler(DashboardApi api, Responses responses, Executor queries) {
        super(false);
        this.api = api;
        this.commands = new CommandApi(api.database(), api.clock(), CommandApi.Host.current());
        this.responses = responses;
        this.queries = queries;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!(Route.of(ctx.channel()) instanceof Route.Page page) || !page.dashboard()) {
            ctx.fireChannelRead(request);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Map<String, List<String>> parameters = new QueryStringDecoder(request.uri()).parameters();
        request.release();
        if (!page.api()) {
            DashboardPage.Asset asset = assets.get(page.path());
            responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.OK, asset.contentType(), asset.body());
            return;
        }
        try {
            queries.execute(() -> answer(ctx, keepAlive, page, parameters));
        } catch (RejectedExecutionException e) { // the server is closing
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, boolean keepAlive, Route.Page page,
                        Map<String, List<String>> parameters) {
        if (page == Route.Page.API_CLI) {
            command(ctx, keepAlive, parameters);
            return;
        }
        DashboardApi.Answer answer;
        try {
            answer = api.answer(page.path(), parameters);
        } catch (RuntimeException e) {
            LOG.warning(page.path() + ": " + e);
            responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "text/plain; charset=utf-8", ("could not answer: " + e + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.valueOf(answer.status()), answer.contentType(),
                answer.body());
    }

    /** The report command for its launcher: its output and exit status, in headers of their own. */
    private void command(ChannelHandlerContext ctx, boolean keepAlive, Map<String, List<String>> parameters) {
        CommandApi.Answer answer;
        try {
            answer = commands.answer(parameters);
        } catch (RuntimeException e) {
            LOG.warning(CommandApi.PATH + ": " + e);
            responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "text/plain; charset=utf-8", ("could not answer: " + e + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.valueOf(answer.status()), answer.contentType(),
                answer.body(), answer.headers());
    }
}
