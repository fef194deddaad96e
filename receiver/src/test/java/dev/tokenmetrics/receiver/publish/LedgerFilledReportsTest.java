package dev.tokenmetrics.receiver.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tokenmetrics.receiver.aggregate.SessionReport;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.Usage;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerFilledReportsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static Usage usage(long input, long output, String cost) {
        return new Usage(new TokenCounts(input, output, 0, 0), new BigDecimal(cost));
    }

    private static UsageReport report(Usage session, Usage today) {
        return new UsageReport(NOW, List.of(new SessionReport("s1", session, Map.of("m", session), "m",
                NOW.minusSeconds(60), NOW, 10, 1, Map.of())), LocalDate.of(2026, 12, 1), today);
    }

    @Test
    void eachTypeAndTheCostTakeTheLargerOfTelemetryAndTheLedger() {
        UsageReport telemetry = report(usage(1000, 100, "0.01"), usage(5000, 500, "0.05"));
        var filled = new LedgerFilledReports(() -> telemetry, ids -> Map.of("s1", usage(900, 300, "0.012")),
                ZoneOffset.UTC).get();
        assertEquals(usage(1000, 300, "0.012"), filled.sessions().get(0).usage());
        assertEquals(usage(5000, 700, "0.052"), filled.todayUsage(), "today grows by what the session gained");
        assertEquals(Map.of("m", usage(1000, 100, "0.01")), filled.sessions().get(0).models(), "models: telemetry's");
    }

    @Test
    void aLedgerThatKnowsNoMoreOrCannotBeReadLeavesTheReportAsItIs() {
        UsageReport telemetry = report(usage(1000, 100, "0.01"), usage(5000, 500, "0.05"));
        assertSame(telemetry, new LedgerFilledReports(() -> telemetry, ids -> Map.of("s1", usage(1000, 100,
                "0.0100000000001")), ZoneOffset.UTC).get(), "equal at the file's precision: nothing to fill");
        assertSame(telemetry, new LedgerFilledReports(() -> telemetry, ids -> {
            throw new IllegalStateException("locked");
        }, ZoneOffset.UTC).get());
    }
}
