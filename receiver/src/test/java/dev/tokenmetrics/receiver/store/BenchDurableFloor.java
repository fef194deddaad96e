package dev.tokenmetrics.receiver.store;

import dev.tokenmetrics.receiver.BenchDisk;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The least a durable receiver can do, for the receiver benchmark (bench/receiver-bench.sh): on two event loops like
 * the daemon's, take each POST's body, append it to a {@link Journal} segment with one committer thread's group commit
 * (write, fdatasync), then answer 200 with an empty body. No decoding, no aggregation, no metrics file. Its latency
 * under the benchmark's load is what this machine's disk and scheduler allow an acknowledgement that waits for
 * fdatasync, whatever the code around it.
 * Usage: BenchDurableFloor PORT DIRECTORY (serves until killed)
 */
public final class BenchDurableFloor {

    private static final int SEGMENT_BYTES = 64 << 20;

    private record Pending(ChannelHandlerContext ctx, byte[] body) {
    }

    private BenchDurableFloor() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path directory = Files.createDirectories(Path.of(args[1]));
        var queue = new LinkedBlockingQueue<Pending>();
        Thread committer = new Thread(() -> commitLoop(queue, directory), "journal-committer");
        committer.setDaemon(true);
        committer.start();
        new ServerBootstrap()
                .group(new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory()))
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(4 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        queue.add(new Pending(ctx, ByteBufUtil.getBytes(request.content())));
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }

    /** A file whose blocks are already written, as the daemon's recycled segments are: no allocation per fsync. */
    private static Path writtenSpare(Path directory) throws IOException {
        Path spare = directory.resolve("spare-floor.bin");
        try (FileChannel channel = FileChannel.open(spare, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            BenchDisk.writeZeros(channel, SEGMENT_BYTES);
        }
        return spare;
    }

    private static void commitLoop(LinkedBlockingQueue<Pending> queue, Path directory) {
        var group = new ArrayList<Pending>();
        try {
            Journal journal = Journal.create(directory, 1, writtenSpare(directory), Journal.Opener.FILES);
            while (true) {
                group.add(queue.take());
                queue.drainTo(group);
                List<byte[]> records = group.stream().map(Pending::body).toList();
                journal.appendDurably(records);
                for (Pending pending : group) {
                    var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-protobuf")
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                    pending.ctx.writeAndFlush(response);
                }
                group.clear();
                if (journal.size() > SEGMENT_BYTES - (8 << 20)) { // start over in the same blocks, as the daemon's cut does
                    journal.close();
                    Path spare = Files.move(Journal.pathOf(directory, journal.sequence()),
                            directory.resolve("spare-floor.bin"));
                    journal = Journal.create(directory, journal.sequence() + 1, spare, Journal.Opener.FILES);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            e.printStackTrace();
            System.exit(1);
        }
    }
}
