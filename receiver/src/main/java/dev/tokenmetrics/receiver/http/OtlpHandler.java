package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.http.ExportConsumer.ExportResult;
import dev.tokenmetrics.receiver.otlp.BodyTooLargeException;
import dev.tokenmetrics.receiver.otlp.Encoding;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.RequestBody;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Handles an export in five steps, the same for every signal: the route's encoding (the router resolved it from the
 * Content-Type, with the signal from the path), body, unmarshal, export to the consumer, marshal the response.
 */
@ChannelHandler.Sharable
final class OtlpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = Logger.getLogger(OtlpHandler.class.getName());

    private final ExportConsumer consumer;
    private final Responses responses;
    private final int maxDecodedBytes;
    private final ExportCounts counts;

    OtlpHandler(ExportConsumer consumer, Responses responses, int maxDecodedBytes, ExportCounts counts) {
        this.consumer = consumer;
        this.responses = responses;
        this.maxDecodedBytes = maxDecodedBytes;
        this.counts = counts;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!(Route.of(ctx.channel()) instanceof Route.Export route)) {
            ctx.fireChannelRead(request.retain()); // not an export: passed on, retained as this handler releases what it reads
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = route.path();
        Signal signal = route.signal();
        Encoding encoding = route.encoding();
        CompletableFuture<ExportResult> stored;
        try {
            byte[] body = RequestBody.decode(ByteBufUtil.getBytes(request.content()),
                    request.headers().get(HttpHeaderNames.CONTENT_ENCODING), maxDecodedBytes);
            stored = consumer.consume(signal, encoding.toWire(body, signal));
        } catch (BodyTooLargeException e) {
            counts.count(signal, encoding.name(), ExportCounts.Result.TOO_LARGE);
            refuse(ctx, false, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, encoding, path, e.getMessage());
            return;
        } catch (MalformedRequestException e) {
            counts.count(signal, encoding.name(), ExportCounts.Result.BAD_REQUEST);
            refuse(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, encoding, path, e.getMessage());
            return;
        }
        stored.whenComplete((result, failure) -> {
            if (failure != null) {
                counts.count(signal, encoding.name(), ExportCounts.Result.UNAVAILABLE);
                LOG.warning(path + ": export not stored, client told to retry: " + failure.getMessage());
                responses.error(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, encoding,
                        "could not store the export; retry later");
                return;
            }
            counts.count(signal, encoding.name(),
                    result.rejected() > 0 ? ExportCounts.Result.PARTIAL : ExportCounts.Result.ACCEPTED);
            if (result.rejected() > 0) {
                counts.rejected(result.rejected());
                LOG.info(path + ": rejected " + result.rejected() + " item(s): " + result.errorMessage());
            }
            responses.send(ctx, keepAlive, HttpResponseStatus.OK, encoding.contentType(),
                    encoding.exportResponse(signal, result.rejected(), result.errorMessage()));
        });
    }

    private void refuse(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Encoding encoding,
                        String path, String message) {
        LOG.info(path + ": " + status.code() + " " + message);
        responses.error(ctx, keepAlive, status, encoding, message);
    }
}
