package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.query.DashboardApi;
import dev.tokenmetrics.receiver.otlp.JsonEncoding;
import dev.tokenmetrics.receiver.otlp.ProtobufEncoding;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/** The OTLP/HTTP server. The whole per-connection pipeline is assembled here, one handler per concern. */
public final class ReceiverServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReceiverServer.class.getName());
    private static final int EVENT_LOOP_THREADS = 2;

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ExecutorService scrapes;
    private final ExecutorService queries;

    private ReceiverServer(EventLoopGroup group, Channel serverChannel, ExecutorService scrapes,
                           ExecutorService queries) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.scrapes = scrapes;
        this.queries = queries;
    }

    /** Binds and starts serving; throws {@link java.net.BindException} when the address is taken. */
    public static ReceiverServer start(InetSocketAddress address, ServerLimits limits, ExportConsumer consumer,
                                       Function<String, Health> health, Scrape metrics, ExportCounts counts,
                                       DashboardApi dashboard) throws IOException {
        var protobuf = new ProtobufEncoding();
        var json = new JsonEncoding();
        var responses = new Responses(json);
        var connectionLimiter = new ConnectionLimiter(limits.maxConnections());
        var securityGuard = new SecurityGuard(Set.of(address.getHostString().toLowerCase()));
        var router = new RequestRouter(protobuf, json, limits.maxWireBytes());
        var framingGuard = new FramingGuard(responses);
        var healthHandler = new HealthHandler(health, responses);
        // One thread renders /metrics: scrapes come every few seconds, and a burst waits its turn.
        ExecutorService scrapes = Executors.newSingleThreadExecutor(new DefaultThreadFactory("metrics-scrape", true));
        var metricsHandler = new MetricsHandler(metrics, responses, scrapes);
        // Another answers the dashboard's API, one query at a time: a year of the ledger must not be read twice over.
        ExecutorService queries = Executors.newSingleThreadExecutor(new DefaultThreadFactory("dashboard-api", true));
        var dashboardHandler = new DashboardHandler(dashboard, responses, queries);
        var otlpHandler = new OtlpHandler(consumer, responses, limits.maxDecodedBytes(), counts);
        var errorLogger = new ErrorLogger();

        // Daemon threads: a failed shutdown must end the process, not leave it serving nothing forever.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS,
                new DefaultThreadFactory("otlp-http", true), NioIoHandler.newFactory());
        var bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, new HeapBuffers())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        ChannelPipeline pipeline = channel.pipeline();
                        pipeline.addLast("connections", connectionLimiter);
                        pipeline.addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(),
                                TimeUnit.MILLISECONDS));
                        var slowClients = new SlowClientGuard(limits.requestTimeout());
                        pipeline.addLast("slow-clients", slowClients);
                        pipeline.addLast("http", new HttpServerCodec(4096, 8192, 64 * 1024));
                        pipeline.addLast("request-ends", slowClients.requestEnds());
                        pipeline.addLast("in-order", new OneRequestAtATime());
                        pipeline.addLast("security", securityGuard);
                        pipeline.addLast("router", router);
                        pipeline.addLast("refusals", new Refusals(responses, limits.maxWireBytes()));
                        pipeline.addLast("aggregate", new HttpObjectAggregator(limits.maxWireBytes()));
                        pipeline.addLast("framing", framingGuard);
                        pipeline.addLast("health", healthHandler);
                        pipeline.addLast("metrics", metricsHandler);
                        pipeline.addLast("dashboard", dashboardHandler);
                        pipeline.addLast("otlp", otlpHandler);
                        pipeline.addLast("errors", errorLogger);
                    }
                });
        var heapTrim = new HeapTrim(router::requests, dashboardHandler::largeAnswers, dashboardHandler::answering);
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            channel.eventLoop().scheduleAtFixedRate(heapTrim::check, HeapTrim.EVERY.toMillis(),
                    HeapTrim.EVERY.toMillis(), TimeUnit.MILLISECONDS);
            return new ReceiverServer(group, channel, scrapes, queries);
        } catch (InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            scrapes.shutdownNow();
            queries.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + address, e);
        } catch (RuntimeException | Error e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            scrapes.shutdownNow();
            queries.shutdownNow();
            throw e;
        } catch (Exception e) { // bind failures arrive as checked exceptions through sync()
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            scrapes.shutdownNow();
            queries.shutdownNow();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops accepting connections; those open may still finish their requests until {@link #close}. */
    public void stopAccepting() {
        serverChannel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        stopAccepting();
        group.shutdownGracefully(50, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly(1500);
        scrapes.shutdownNow();
        queries.shutdownNow();
    }

    /** Last in the pipeline: whatever went wrong on a connection is one log line, then the connection closes. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class ErrorLogger extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) { // resets and broken pipes are the client's business
                LOG.warning("closing connection from " + ctx.channel().remoteAddress() + ": " + cause);
            }
            ctx.close();
        }
    }
}
