package dev.tokenmetrics.receiver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.query.DashboardApi;
import dev.tokenmetrics.receiver.otlp.JsonEncoding;
import dev.tokenmetrics.receiver.otlp.ProtobufEncoding;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that asks the dashboard's API and never reads what it is sent holds the daemon's memory (a report's
 * answer sits in direct buffers until read): past a bound, queries are answered 503 until the answers are taken.
 */
class UnreadAnswersTest {

    /** Stands for a client that does not read: every answer written is held here, its write not done. */
    private static final class UnreadClient extends ChannelOutboundHandlerAdapter {
        final List<Object> answers = new ArrayList<>();
        final List<ChannelPromise> writes = new ArrayList<>();
        boolean reading;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (reading) {
                ctx.write(msg, promise);
            } else {
                answers.add(msg);
                writes.add(promise);
            }
        }

        /** The client reads at last: the held answers are written. */
        void takeEverything(ChannelHandlerContext ctx) {
            reading = true;
            for (int i = 0; i < answers.size(); i++) {
                ctx.write(answers.get(i), writes.get(i));
            }
            ctx.flush();
            answers.clear();
            writes.clear();
        }
    }

    @Test
    void queriesAreAnswered503WhileEarlierAnswersBeyondTheBoundAreUnreadAndAgainOnceRead(@TempDir Path home) {
        var api = new DashboardApi(home.resolve("usage.db"), Clock.systemUTC(), ZoneOffset.UTC, BigDecimal.ZERO);
        var client = new UnreadClient();
        var channel = new EmbeddedChannel(client, new RequestRouter(new ProtobufEncoding(), new JsonEncoding(), 1000),
                new DashboardHandler(api, new Responses(new JsonEncoding()), Runnable::run, 1));

        channel.writeInbound(summaryRequest());
        assertEquals(1, client.answers.size(), "the first query is answered (and its answer left unread)");
        assertFalse(busy((FullHttpResponse) client.answers.get(0)));

        channel.writeInbound(summaryRequest());
        assertEquals(2, client.answers.size());
        assertTrue(busy((FullHttpResponse) client.answers.get(1)), "beyond the bound: refused");

        client.takeEverything(channel.pipeline().context(client));
        channel.writeInbound(summaryRequest());
        FullHttpResponse again = channel.readOutbound();
        for (FullHttpResponse next = channel.readOutbound(); next != null; next = channel.readOutbound()) {
            again = next; // the held answers came out first; the last is the third query's
        }
        assertFalse(busy(again), "read: answered again");
        channel.finishAndReleaseAll();
    }

    /** The refusal for unread answers (the ledger's absence is a 503 too, with its own words). */
    private static boolean busy(FullHttpResponse answer) {
        return answer.status().equals(HttpResponseStatus.SERVICE_UNAVAILABLE) && answer.content()
                .toString(StandardCharsets.UTF_8).equals("busy: earlier answers are still being read; ask again\n");
    }

    private static DefaultFullHttpRequest summaryRequest() {
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, DashboardApi.SUMMARY);
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
        return request;
    }
}
