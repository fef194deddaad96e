package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.query.DashboardApi;
import dev.tokenmetrics.query.DashboardPage;
import dev.tokenmetrics.query.command.CommandApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelFuture;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Answers the dashboard's routes (docs/DASHBOARD.md): its page and files from memory, on the event loop; its API
 * on a thread of its own, one query at a time (a query may read a year of the ledger: it must neither hold up an
 * export nor run beside another); {@code /api/v1/cli}, the report command for its launcher ({@link CommandApi}), on
 * the same thread. Every answer carries the browser headers of {@link Responses#sendToBrowser}. What clients have
 * been sent and not yet read is bounded ({@link #MAX_UNREAD}): beyond it, a query is answered 503 until they read.
 * Passes every other request on.
 */
@ChannelHandler.Sharable
final class DashboardHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = Logger.getLogger(DashboardHandler.class.getName());

    /**
     * Answers sent and not yet taken by their clients, at most: a report's answer may be 16 MiB, held in direct
     * buffers (64 MiB for the whole daemon, the exports' included) until the client reads it, and a local program
     * that asks and never reads must not take that memory from the exports.
     */
    static final long MAX_UNREAD = 32L << 20;

    private final AtomicLong unread = new AtomicLong(); // bytes of the answers being written
    private final AtomicInteger pending = new AtomicInteger(); // API requests queued or being answered
    private final AtomicLong largeAnswers = new AtomicLong(); // answers of LARGE_ANSWER or more, so far
    private final long maxUnread;
    private final Map<String, DashboardPage.Asset> assets = DashboardPage.assets();
    private final DashboardApi api;
    private final CommandApi commands;
    private final Responses responses;
    private final Executor queries;

    DashboardHandler(DashboardApi api, Responses responses, Executor queries) {
        this(api, responses, queries, MAX_UNREAD);
    }

    DashboardHandler(DashboardApi api, Responses responses, Executor queries, long maxUnread) {
        super(false);
        this.maxUnread = maxUnread;
        this.api = api;
        this.commands = new CommandApi(api.database(), api.clock(), CommandApi.Host.current());
        this.responses = responses;
        this.queries = queries;
    }

    /** An answer this large took several times its size of heap: {@link HeapTrim} waits for such answers to stop. */
    static final int LARGE_ANSWER = 1 << 20;

    /** Whether an API request (a report's included) is queued or being answered. */
    boolean answering() {
        return pending.get() > 0;
    }

    /** Answers of {@link #LARGE_ANSWER} or more so far: a year's report, not the dashboard's 5-second poll. */
    long largeAnswers() {
        return largeAnswers.get();
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
        pending.incrementAndGet();
        try {
            queries.execute(() -> {
                try {
                    answer(ctx, keepAlive, page, parameters);
                } finally {
                    pending.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) { // the server is closing
            pending.decrementAndGet();
            ctx.close();
        }
    }

    private record Sent(ChannelFuture written, int size) {
    }

    private void answer(ChannelHandlerContext ctx, boolean keepAlive, Route.Page page,
                        Map<String, List<String>> parameters) {
        if (unread.get() >= maxUnread) {
            byte[] body = "busy: earlier answers are still being read; ask again\n".getBytes(StandardCharsets.UTF_8);
            responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "text/plain; charset=utf-8", body);
            return;
        }
        Sent sent = page == Route.Page.API_CLI ? command(ctx, keepAlive, parameters)
                : query(ctx, keepAlive, page, parameters);
        unread.addAndGet(sent.size());
        sent.written().addListener(done -> unread.addAndGet(-sent.size())); // written, or the connection gone
        if (sent.size() >= LARGE_ANSWER) {
            largeAnswers.incrementAndGet();
        }
    }

    private Sent query(ChannelHandlerContext ctx, boolean keepAlive, Route.Page page,
                       Map<String, List<String>> parameters) {
        DashboardApi.Answer answer;
        try {
            answer = api.answer(page.path(), parameters);
        } catch (RuntimeException e) {
            LOG.warning(page.path() + ": " + e);
            return failed(ctx, keepAlive, e);
        }
        return new Sent(responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.valueOf(answer.status()),
                answer.contentType(), answer.body()), answer.body().length);
    }

    /**
     * The report command for its launcher: its output and exit status, in headers of their own. Its standard
     * output is written straight into the channel's direct buffers, never onto the heap (a year's session report
     * is 7.7 MB, which the heap, kept small, would grow for in several full collections), and sent from them.
     */
    private Sent command(ChannelHandlerContext ctx, boolean keepAlive, Map<String, List<String>> parameters) {
        CompositeByteBuf stdout = ctx.alloc().compositeDirectBuffer(Integer.MAX_VALUE);
        CommandApi.Answer answer;
        try {
            answer = commands.answer(parameters, new ByteBufOutputStream(stdout));
        } catch (RuntimeException e) {
            stdout.release();
            LOG.warning(CommandApi.PATH + ": " + e);
            return failed(ctx, keepAlive, e);
        }
        if (answer.status() != HttpResponseStatus.OK.code()) { // refused: what stdout received is not the answer
            stdout.release();
            return new Sent(responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.valueOf(answer.status()),
                    answer.contentType(), answer.body(), answer.headers()), answer.body().length);
        }
        // then stderr; a new composite of the two, as the first's last block has room beyond what was written
        ByteBuf body = answer.body().length == 0 ? stdout
                : Unpooled.wrappedBuffer(stdout, Unpooled.wrappedBuffer(answer.body()));
        int size = body.readableBytes();
        return new Sent(responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.OK, answer.contentType(), body,
                answer.headers()), size);
    }

    private Sent failed(ChannelHandlerContext ctx, boolean keepAlive, RuntimeException e) {
        byte[] body = ("could not answer: " + e + "\n").getBytes(StandardCharsets.UTF_8);
        return new Sent(responses.sendToBrowser(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                "text/plain; charset=utf-8", body), body.length);
    }
}
