package dev.tokenmetrics.receiver.store;

import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchCodecTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private static UsageBatch batch() {
        UsageBatch metrics = Otlp.extract(usage("s1", "m", DELTA, T0, T0.plusSeconds(5), 10, 1, 0, 0, 0.01),
                T0.plusSeconds(7)).batch();
        return new UsageBatch(metrics.points(), List.of(new ApiRequest("s1", "m", Otlp.nanos(T0), 42)),
                metrics.resources(), metrics.receivedNanos());
    }

    @Test
    void aRecordKeepsEverythingTheAggregatorReadsIncludingWhenTheBatchWasReceived() throws IOException {
        UsageBatch batch = batch();
        assertEquals(Otlp.nanos(T0.plusSeconds(7)), batch.receivedNanos());
        assertEquals(batch, BatchCodec.decode(BatchCodec.encode(batch)));
    }

    @Test
    void aRecordWrittenBeforeReceiveTimesWereReadsAsReceivedAtAnUnknownTime() throws IOException {
        UsageBatch batch = batch();
        byte[] record = BatchCodec.encode(batch);
        // The earlier layout: the same fields without the version marker (an int) and the receive time (a long).
        byte[] earlier = Arrays.copyOfRange(record, Integer.BYTES + Long.BYTES, record.length);

        UsageBatch read = BatchCodec.decode(earlier);
        assertEquals(UsageBatch.RECEIVED_UNKNOWN, read.receivedNanos());
        assertEquals(new UsageBatch(batch.points(), batch.apiRequests(), batch.resources()), read);
    }
}
