package dev.tokenmetrics.receiver.store;

import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.usage.ApiCall;
import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchCodecTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private static UsageBatch batch() {
        UsageBatch metrics = Otlp.extract(usage("s1", "m", DELTA, T0, T0.plusSeconds(5), 10, 1, 0, 0, 0.01),
                T0.plusSeconds(7)).batch();
        var call = new ApiCall("req_1", 1011, 41, 300, 20, 20, 0, "0.005024000000000001", 86L, null, "sdk", "medium",
                "normal", null, null, "p1", "u1", null, null, "xterm", "2.1.331", "proj", "feature/x");
        return new UsageBatch(metrics.points(), List.of(new ApiRequest("s1", "m", Otlp.nanos(T0), 42, call)),
                metrics.resources(), metrics.receivedNanos());
    }

    /** The same without API requests, whose layout changed since: what the earlier layouts can be cut from. */
    private static UsageBatch metricsOnly() {
        UsageBatch batch = batch();
        return new UsageBatch(batch.points(), List.of(), batch.resources(), batch.receivedNanos());
    }

    @Test
    void aRecordKeepsEverythingTheAggregatorAndTheLedgerReadIncludingWhenTheBatchWasReceived() throws IOException {
        UsageBatch batch = batch();
        assertEquals(Otlp.nanos(T0.plusSeconds(7)), batch.receivedNanos());
        assertEquals(batch, BatchCodec.decode(BatchCodec.encode(batch)));
    }

    @Test
    void aRecordWrittenBeforeReceiveTimesWereReadsAsReceivedAtAnUnknownTime() throws IOException {
        UsageBatch batch = metricsOnly();
        byte[] record = BatchCodec.encode(batch);
        // The earlier layout: the same fields without the version marker (an int) and the receive time (a long).
        byte[] earlier = Arrays.copyOfRange(record, Integer.BYTES + Long.BYTES, record.length);

        UsageBatch read = BatchCodec.decode(earlier);
        assertEquals(UsageBatch.RECEIVED_UNKNOWN, read.receivedNanos());
        assertEquals(new UsageBatch(batch.points(), batch.apiRequests(), batch.resources()), read);
    }

    @Test
    void aRecordWrittenBeforeApiCallsWereKeptReadsWithItsRequestsButNoCalls() throws IOException {
        UsageBatch batch = metricsOnly();
        byte[] record = BatchCodec.encode(batch);
        ByteBuffer.wrap(record).putInt(0, -2); // the layout with a receive time, before calls were kept
        assertEquals(batch, BatchCodec.decode(record));

        // and a request in that layout: session, model, time, event key, nothing after
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(-2);
            out.writeLong(7);
            out.writeInt(0);
            out.writeInt(1);
            out.writeUTF("s1");
            out.writeUTF("m");
            out.writeLong(9);
            out.writeLong(42);
            out.writeInt(0);
        }
        assertEquals(new UsageBatch(List.of(), List.of(new ApiRequest("s1", "m", 9, 42)), List.of(), 7),
                BatchCodec.decode(bytes.toByteArray()));
    }
}
