package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.MetricsReconciliation.Figures;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What metrics add to a session and model's request rows: the larger of the two, per type, on the right days. */
class MetricsReconciliationTest {

    private static Figures tokens(long input, long output, String cost) {
        return new Figures(input, output, 0, 0, new BigDecimal(cost));
    }

    private static TreeMap<String, Figures> days(Object... dayAndFigures) {
        var days = new TreeMap<String, Figures>();
        for (int i = 0; i < dayAndFigures.length; i += 2) {
            days.put((String) dayAndFigures[i], (Figures) dayAndFigures[i + 1]);
        }
        return days;
    }

    @Test
    void withoutRequestsTheMetricsAreEverythingOnTheirOwnDays() {
        var metrics = days("2026-11-30", tokens(100, 10, "0.5"), "2026-12-01", tokens(7, 1, "0.01"));
        assertEquals(metrics, MetricsReconciliation.excess(metrics, Map.of()));
    }

    @Test
    void requestsThatAccountForEverythingLeaveNothing() {
        var metrics = days("2026-12-01", tokens(100, 10, "0.5"));
        assertTrue(MetricsReconciliation.excess(metrics, days("2026-12-01", tokens(100, 10, "0.5"))).isEmpty());
        assertTrue(MetricsReconciliation.excess(metrics, days("2026-12-01", tokens(120, 11, "0.6"))).isEmpty(),
                "requests above the metrics: the requests stand, nothing is taken away");
    }

    @Test
    void eachTypeAndTheCostAddOnlyWhatTheRequestsMiss() {
        var metrics = days("2026-12-01", tokens(100, 10, "0.5"));
        // Transcript rows: every token, but priced for one request only.
        var excess = MetricsReconciliation.excess(metrics, days("2026-12-01", tokens(100, 10, "0.2")));
        assertEquals(days("2026-12-01", tokens(0, 0, "0.3")), excess);
        excess = MetricsReconciliation.excess(metrics, days("2026-12-01", tokens(60, 12, "0.5")));
        assertEquals(days("2026-12-01", tokens(40, 0, "0")), excess);
    }

    @Test
    void aRequestAndItsMetricPointOnEitherSideOfMidnightAreCountedOnce() {
        var metrics = days("2026-12-02", tokens(100, 10, "0.5"));
        assertTrue(MetricsReconciliation.excess(metrics, days("2026-12-01", tokens(100, 10, "0.5"))).isEmpty());
    }

    @Test
    void theExcessGoesToTheDaysWhoseMetricsTheRequestsMiss() {
        var metrics = days("2026-11-30", tokens(100, 0, "1"), "2026-12-01", tokens(50, 0, "0.5"));
        var requests = days("2026-11-30", tokens(100, 0, "1"));
        assertEquals(days("2026-12-01", tokens(50, 0, "0.5")), MetricsReconciliation.excess(metrics, requests));
    }

    @Test
    void binaryRoundingBetweenTheTwoSidesIsNoCost() {
        var metrics = days("2026-12-01", tokens(3, 0, "0.30000000000000004"));
        assertTrue(MetricsReconciliation.excess(metrics, days("2026-12-01", tokens(3, 0, "0.3"))).isEmpty());
    }
}
