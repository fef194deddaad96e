package dev.tokenmetrics.receiver.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** How an upstream answer is read (OTLP/HTTP's rules), and how long a retry waits. */
class UpstreamTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void twoHundredIsSentAndItsPartialSuccessCounted() {
        byte[] partial = ExportMetricsServiceResponse.newBuilder().setPartialSuccess(ExportMetricsPartialSuccess
                .newBuilder().setRejectedDataPoints(3).setErrorMessage("bad points")).build().toByteArray();
        assertEquals(new Upstream.Outcome.Sent(3, "bad points"), Upstream.outcome(200, null, partial, CLOCK));
        assertEquals(new Upstream.Outcome.Sent(0, ""), Upstream.outcome(200, null, new byte[0], CLOCK));
        assertEquals(new Upstream.Outcome.Sent(0, ""), Upstream.outcome(202, null, "{}".getBytes(), CLOCK),
                "an answer that is not protobuf still means accepted");
    }

    @Test
    void throttlingAndUnavailabilityAreRetriedAfterRetryAfter() {
        for (int status : new int[] {429, 502, 503, 504}) {
            var outcome = (Upstream.Outcome.Retry) Upstream.outcome(status, "7", new byte[0], CLOCK);
            assertEquals(Duration.ofSeconds(7), outcome.retryAfter(), "status " + status);
        }
        var dated = (Upstream.Outcome.Retry) Upstream.outcome(503, "Tue, 01 Dec 2026 12:00:30 GMT", null, CLOCK);
        assertEquals(Duration.ofSeconds(30), dated.retryAfter());
        assertNull(((Upstream.Outcome.Retry) Upstream.outcome(429, null, null, CLOCK)).retryAfter());
        assertNull(Upstream.retryAfter("soon", CLOCK));
        assertEquals(Duration.ZERO, Upstream.retryAfter("Tue, 01 Dec 2026 11:00:00 GMT", CLOCK));
        assertEquals(Upstream.MAX_RETRY_AFTER, Upstream.retryAfter("86400", CLOCK));
    }

    @Test
    void otherStatusesAreFinal() {
        for (int status : new int[] {400, 401, 403, 404, 413, 500}) {
            assertTrue(Upstream.outcome(status, "5", "nope".getBytes(StandardCharsets.UTF_8), CLOCK)
                    instanceof Upstream.Outcome.Refused, "status " + status);
        }
        assertEquals(new Upstream.Outcome.Refused("upstream answered 401: unauthorized"),
                Upstream.outcome(401, null, "\n\u0003unauthorized".getBytes(StandardCharsets.UTF_8), CLOCK));
    }

    @Test
    void backoffDoublesWithJitterUpToItsMaximumAndHonoursRetryAfter() {
        var lowest = new Backoff(Duration.ofSeconds(4), () -> 0.0);
        assertEquals(Duration.ofMillis(250), lowest.next(null));
        assertEquals(Duration.ofMillis(500), lowest.next(null));
        assertEquals(Duration.ofMillis(1000), lowest.next(null));
        assertEquals(Duration.ofMillis(2000), lowest.next(null));
        assertEquals(Duration.ofMillis(2000), lowest.next(null), "capped at the maximum");
        assertEquals(Duration.ofSeconds(9), lowest.next(Duration.ofSeconds(9)), "the server's word, as it is");
        lowest.reset();
        assertEquals(Duration.ofMillis(250), lowest.next(null));
        var highest = new Backoff(Duration.ofSeconds(4), () -> 0.999_999);
        assertEquals(Duration.ofMillis(499), highest.next(null));
        for (int i = 0; i < 40; i++) {
            highest.next(null);
        }
        assertEquals(Duration.ofMillis(3999), highest.next(null), "no overflow after many failures");
    }

    @Test
    void gzipIsReadBackAsItWasAndShrinksClaudeCodesExport() throws Exception {
        byte[] export = dev.tokenmetrics.receiver.Otlp.resource("cc-2.1.330-metrics-cumulative.pb");
        byte[] compressed = Upstream.gzip(export);
        assertEquals(java.util.Arrays.toString(export), java.util.Arrays.toString(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(compressed)).readAllBytes()));
        assertTrue(compressed.length * 3 < export.length, compressed.length + " of " + export.length + " bytes");
    }
}
