package dev.tokenmetrics.receiver.aggregate;

import static dev.tokenmetrics.receiver.Otlp.CUMULATIVE;
import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.StreamId;
import dev.tokenmetrics.receiver.usage.TokenType;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregatorCodecTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final String OPUS = "claude-opus-4-1";

    private static long nanos(int seconds) {
        return Otlp.nanos(T0.plusSeconds(seconds));
    }

    /**
     * A state.bin body as the release before bounded memory wrote it: session s1 with 100 input tokens and a cost of
     * 0.1 from one cumulative stream, one counted api_request event (key 42), burn buckets by the second.
     */
    private static byte[] formatOne(StreamId cumulative) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(1);
        out.writeInt(1); // streams
        out.writeLong(cumulative.high());
        out.writeLong(cumulative.low());
        out.writeByte('C');
        out.writeLong(nanos(0));
        out.writeLong(nanos(5));
        out.writeDouble(100);
        out.writeInt(1); // sessions
        out.writeUTF("s1");
        out.writeInt(1); // models
        out.writeUTF(OPUS);
        writeUsage(out, 100, "0.1");
        out.writeLong(nanos(0));
        out.writeLong(nanos(5));
        out.writeUTF(OPUS);
        out.writeInt(1); // resource
        out.writeUTF("service.version");
        out.writeUTF("2.1.331");
        out.writeLong(1); // api requests
        out.writeInt(2); // burn buckets, by the second
        out.writeLong(nanos(1));
        out.writeLong(40);
        out.writeLong(nanos(4));
        out.writeLong(60);
        out.writeInt(1); // event keys
        out.writeLong(42);
        out.writeInt(1); // days
        out.writeLong(LocalDate.of(2026, 11, 24).toEpochDay());
        writeUsage(out, 100, "0.1");
        return bytes.toByteArray();
    }

    private static void writeUsage(DataOutputStream out, long input, String cost) throws IOException {
        out.writeLong(input);
        out.writeLong(0);
        out.writeLong(0);
        out.writeLong(0);
        out.writeUTF(cost);
    }

    @Test
    void aStateWrittenBeforeMemoryWasBoundedStillLoadsAndContinues() throws IOException {
        UsagePoint point = Otlp.extract(usage("s1", OPUS, CUMULATIVE, T0, T0.plusSeconds(10), 130, 0, 0, 0, 0.13))
                .batch().points().stream().filter(p -> p.tokenType() == TokenType.INPUT).findFirst().orElseThrow();
        UsageAggregator aggregator = AggregatorCodec.read(
                new DataInputStream(new ByteArrayInputStream(formatOne(point.stream()))), ZoneOffset.UTC);

        assertEquals(100, aggregator.report(T0.plusSeconds(6)).session("s1").usage().tokens().input());
        assertEquals(1, aggregator.sessions.get("s1").burnBuckets(), "seconds 1 and 4 share a five-second bucket");
        assertEquals(100, aggregator.report(T0.plusSeconds(6)).session("s1").tokensPerMinute());

        aggregator.apply(new UsageBatch(List.of(point), List.of(new ApiRequest("s1", OPUS, nanos(9), 42)), List.of()));
        SessionReport s1 = aggregator.report(T0.plusSeconds(10)).session("s1");
        assertEquals(130, s1.usage().tokens().input(), "the cumulative stream continues: its increase is 30");
        assertEquals(1, s1.apiRequests(), "the event was counted before");
        assertEquals("2.1.331", s1.resource().get("service.version"));
        assertEquals(130, aggregator.report(T0.plusSeconds(10)).todayUsage().tokens().input());
    }

    @Test
    void aRestoredAggregatorEncodesAsTheOriginal() throws IOException {
        var aggregator = new UsageAggregator(ZoneOffset.UTC);
        aggregator.apply(Otlp.extract(usage("s1", OPUS, CUMULATIVE, T0, T0.plusSeconds(5), 100, 1, 2, 3, 0.1)).batch());
        aggregator.apply(Otlp.extract(usage("s2", OPUS, DELTA, T0, T0.plusSeconds(6), 7, 0, 0, 0, 0.07)).batch());
        aggregator.apply(new UsageBatch(List.of(), List.of(new ApiRequest("s1", OPUS, nanos(7), 42)), List.of()));
        aggregator.apply(Otlp.extract(usage("s1", OPUS, CUMULATIVE, T0, T0.plusSeconds(8), 110, 1, 2, 3, 0.1)).batch());

        byte[] state = encode(aggregator);
        UsageAggregator restored = AggregatorCodec.read(new DataInputStream(new ByteArrayInputStream(state)),
                ZoneOffset.UTC);
        assertEquals(HexFormat.of().formatHex(state), HexFormat.of().formatHex(encode(restored)));
        assertEquals(aggregator.retainedBytes(), restored.retainedBytes());
    }

    private static byte[] encode(UsageAggregator aggregator) throws IOException {
        var bytes = new ByteArrayOutputStream();
        AggregatorCodec.write(aggregator, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }
}
