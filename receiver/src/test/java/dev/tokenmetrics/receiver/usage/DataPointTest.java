package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.Otlp.nanos;
import static dev.tokenmetrics.receiver.Otlp.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One DataPoint serves a whole export: each read starts afresh. */
class DataPointTest {

    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant TIME = START.plusSeconds(5);

    @Test
    void readsTheFieldsAndLabelsUsageNeeds() throws Exception {
        var point = point("s", "claude-opus", "output", START, TIME, 42).toBuilder()
                .addAttributes(Otlp.kv("terminal.type", "xterm")).build();

        DataPoint read = new DataPoint().read(WireReader.of(point.toByteArray()));

        assertEquals(nanos(START), read.startNanos());
        assertEquals(nanos(TIME), read.timeNanos());
        assertTrue(read.hasValue());
        assertEquals(42, read.value());
        assertEquals(point.getAttributesCount(), read.attributes().size());
        assertEquals("s", read.labels().sessionId());
        assertEquals("claude-opus", read.labels().model());
        assertEquals("output", read.labels().type());
        assertEquals("xterm", read.labels().terminal());
    }

    @Test
    void anIntegerValueIsReadAsWellAsADouble() throws Exception {
        var point = point("s", "m", "input", START, TIME, 0).toBuilder().setAsInt(7).build();

        assertEquals(7, new DataPoint().read(WireReader.of(point.toByteArray())).value());
    }

    @Test
    void readingAgainForgetsThePreviousPoint() throws Exception {
        var reused = new DataPoint();
        reused.read(WireReader.of(point("s", "m", "input", START, TIME, 5).toBuilder()
                .addAttributes(Otlp.kv("terminal.type", "xterm")).build().toByteArray()));

        reused.read(WireReader.empty());

        assertFalse(reused.hasValue());
        assertEquals(0, reused.value());
        assertEquals(0, reused.startNanos());
        assertEquals(0, reused.timeNanos());
        assertTrue(reused.attributes().isEmpty());
        assertEquals("", reused.labels().sessionId());
        assertEquals("unknown", reused.labels().model());
        assertEquals("", reused.labels().type());
        assertNull(reused.labels().terminal());
    }
}
