package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.Otlp.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The checks of one data point, each failure named as the client is told it. */
class PointRulesTest {

    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant TIME = START.plusSeconds(5);

    private static DataPoint read(NumberDataPoint point) throws MalformedRequestException {
        return new DataPoint().read(WireReader.of(point.toByteArray()));
    }

    private static String tokens(String type, double value) throws MalformedRequestException {
        return PointRules.problem(Metric.TOKEN_USAGE, Temporality.DELTA,
                read(point("s", "m", type, START, TIME, value)));
    }

    @Test
    void aWholeTokenCountOfAKnownTypeWithATimeCounts() throws MalformedRequestException {
        assertNull(tokens("cacheRead", 1_000));
        assertNull(tokens("input", 0));
        assertNull(tokens("input", PointRules.MAX_PLAUSIBLE_VALUE));
    }

    @Test
    void aCostNeedsNoTypeAndMayBeAFraction() throws MalformedRequestException {
        assertNull(PointRules.problem(Metric.COST_USAGE, Temporality.CUMULATIVE,
                read(point("s", "m", null, START, TIME, 0.0123))));
    }

    @Test
    void valuesThatCannotBeUsage() throws MalformedRequestException {
        assertEquals("value NaN is not finite", tokens("input", Double.NaN));
        assertEquals("value Infinity is not finite", tokens("input", Double.POSITIVE_INFINITY));
        assertEquals("negative delta -3.0 in a monotonic sum", tokens("input", -3));
        assertEquals("value 1.000000000001E12 is implausibly large", tokens("input", 1e12 + 1));
        assertEquals("negative total -1.0 in a monotonic sum", PointRules.problem(Metric.COST_USAGE,
                Temporality.CUMULATIVE, read(point("s", "m", null, START, TIME, -1))));
    }

    @Test
    void tokenPointsNeedAKnownTypeAndAWholeNumber() throws MalformedRequestException {
        assertEquals("unknown token type 'thinking'", tokens("thinking", 4));
        assertEquals("unknown token type ''", tokens(null, 4));
        assertEquals("token count 1.5 is not a whole number of tokens", tokens("input", 1.5));
    }

    @Test
    void aPointNeedsAValueAndATime() throws MalformedRequestException {
        NumberDataPoint point = point("s", "m", "input", START, TIME, 5);

        assertEquals("data point has no value", PointRules.problem(Metric.TOKEN_USAGE, Temporality.DELTA,
                read(point.toBuilder().clearValue().build())));
        assertEquals("data point has no timeUnixNano", PointRules.problem(Metric.TOKEN_USAGE, Temporality.DELTA,
                read(point.toBuilder().clearTimeUnixNano().build())));
    }
}
