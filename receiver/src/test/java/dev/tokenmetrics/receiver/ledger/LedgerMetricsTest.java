package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions that export metrics: the ledger holds, per session and model, the larger of what the metrics counted and
 * what its request rows hold, per token type and cost, whichever side comes first and however often it is seen.
 */
class LedgerMetricsTest {

    private static final Instant T = Instant.parse("2026-12-01T08:11:28.253Z");
    private static final String MODEL = "claude-opus-5-5";

    @TempDir
    Path dir;

    private Ledger open() throws Exception {
        return Ledger.open(dir.resolve("usage.db"));
    }

    private static MetricTotal total(Instant time, long input, long output, String cost) {
        return new MetricTotal("s1", MODEL, time, input, output, 300, 20, new BigDecimal(cost), null);
    }

    private static LedgerRow telemetry(String requestId, Instant time, long input, long output, String cost) {
        return new LedgerRow(LedgerRow.key(requestId, 0, null), Source.TELEMETRY, "s1", time, MODEL,
                new Tokens(input, output, 150, 10, 10, 0), new BigDecimal(cost), CostSource.EXACT,
                new Call(requestId, null, null, null, null, null, null, null, null, null, null, null, null, null),
                Place.NONE, null);
    }

    private static LedgerRow transcript(String requestId, Instant time, long input, long output, String file) {
        return new LedgerRow(LedgerRow.key(requestId, 0, "msg_" + requestId), Source.TRANSCRIPT, "s1", time, MODEL,
                new Tokens(input, output, 150, 10, 0, 0), null, CostSource.UNPRICED, Call.NONE,
                new Place(null, "/home/user/proj", null, "msg_" + requestId), file);
    }

    /** Session s1's sums over every row: what a report sees. */
    private record Sums(long rows, long metricsRows, long input, long output, long cacheRead, long cacheCreation,
                        BigDecimal cost) {
    }

    private Sums sums() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"));
             ResultSet result = connection.createStatement().executeQuery("SELECT count(*), sum(source = 'metrics'),"
                     + " sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_creation_tokens),"
                     + " group_concat(cost_usd, ' ') FROM requests WHERE session_id = 's1'")) {
            BigDecimal cost = BigDecimal.ZERO;
            String costs = result.getString(7);
            for (String one : costs == null ? new String[0] : costs.split(" ")) {
                cost = cost.add(new BigDecimal(one));
            }
            return new Sums(result.getLong(1), result.getLong(2), result.getLong(3), result.getLong(4),
                    result.getLong(5), result.getLong(6), cost.stripTrailingZeros());
        }
    }

    private List<String> metricsDays() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"));
             ResultSet result = connection.createStatement().executeQuery("SELECT date(time) || ' '"
                     + " || input_tokens FROM requests WHERE source = 'metrics' ORDER BY time")) {
            var days = new ArrayList<String>();
            while (result.next()) {
                days.add(result.getString(1));
            }
            return days;
        }
    }

    @Test
    void aSessionWithMetricsOnlyIsWholeAndATotalSeenAgainAddsNothing() throws Exception {
        try (Ledger ledger = open()) {
            ledger.record(List.of(), List.of(total(T, 1011, 41, "0.005024")));
            ledger.record(List.of(), List.of(total(T, 1011, 41, "0.005024"))); // a replayed journal
            ledger.record(List.of(), List.of(total(T.plusSeconds(5), 3022, 83, "0.010048")));
            ledger.record(List.of(), List.of(total(T.plusSeconds(1), 3022, 83, "0.010048"))); // a retry, late
        }
        assertEquals(new Sums(1, 1, 3022, 83, 300, 20, new BigDecimal("0.010048")), sums());
    }

    @Test
    void usageIsDatedOnTheDayTheMetricsCountedIt() throws Exception {
        Instant evening = Instant.parse("2026-11-30T23:59:58Z");
        try (Ledger ledger = open()) {
            ledger.record(List.of(), List.of(total(evening, 1000, 40, "0.004")));
            ledger.record(List.of(), List.of(total(evening.plusSeconds(5), 1500, 50, "0.005")));
        }
        assertEquals(List.of("2026-11-30 1000", "2026-12-01 500"), metricsDays());
        assertEquals(1500, sums().input());
    }

    @Test
    void logEventsThatAccountForTheMetricsLeaveNoMetricsRowsWhicheverComesFirst() throws Exception {
        for (boolean metricsFirst : new boolean[] {true, false}) {
            java.nio.file.Files.deleteIfExists(dir.resolve("usage.db"));
            List<LedgerRow> events = List.of(telemetry("req_1", T, 1000, 40, "0.004"),
                    telemetry("req_2", T.plusSeconds(2), 11, 1, "0.001024"));
            MetricTotal metrics = new MetricTotal("s1", MODEL, T.plusSeconds(3), 1011, 41, 300, 20,
                    new BigDecimal("0.005024"), null);
            try (Ledger ledger = open()) {
                if (metricsFirst) {
                    ledger.record(List.of(), List.of(metrics));
                    assertEquals(1, sums().metricsRows(), "until the events come, the metrics stand for them");
                    ledger.record(events.subList(0, 1), List.of());
                    assertEquals(new Sums(2, 1, 1011, 41, 300, 20, new BigDecimal("0.005024")), sums(),
                            "one event in: the metrics add only what it does not hold");
                    ledger.record(events.subList(1, 2), List.of());
                } else {
                    ledger.record(events, List.of());
                    ledger.record(List.of(), List.of(metrics));
                }
            }
            assertEquals(new Sums(2, 0, 1011, 41, 300, 20, new BigDecimal("0.005024")), sums(),
                    "counted once, metrics first: " + metricsFirst);
        }
    }

    @Test
    void unpricedTranscriptRowsTakeTheirTokensAndTheMetricsAddOnlyTheCost() throws Exception {
        String file = "/home/user/.claude/projects/p/s1.jsonl";
        try (Ledger ledger = open()) {
            ledger.record(List.of(), List.of(total(T.plusSeconds(3), 1011, 41, "0.005024")));
            ledger.record(List.of(transcript("req_1", T, 1000, 40, file), transcript("req_2", T, 11, 1, file)),
                    List.of());
            assertEquals(new Sums(3, 1, 1011, 41, 300, 20, new BigDecimal("0.005024")), sums());

            // The transcript rewritten with one request only: the metrics stand for the other again.
            ledger.replaceTranscript(file, List.of(transcript("req_1", T, 1000, 40, file)));
            assertEquals(new Sums(2, 1, 1011, 41, 300, 20, new BigDecimal("0.005024")), sums());
        }
    }

    @Test
    void transcriptRowsPricedLaterLeaveTheSessionsCostWhereTheMetricsPutIt() throws Exception {
        String file = "/home/user/.claude/projects/p/s1.jsonl";
        try (Ledger ledger = open()) {
            ledger.record(List.of(), List.of(total(T.plusSeconds(3), 1011, 41, "0.005024")));
            ledger.record(List.of(transcript("req_1", T, 1000, 40, file), transcript("req_2", T, 11, 1, file)),
                    List.of());
            ledger.reprice(java.util.Map.of(MODEL, new dev.tokenmetrics.receiver.pricing.Prices.Rule(null,
                    dev.tokenmetrics.receiver.pricing.Price.of("1", "2", "0.1", "1.25", "2"))));
            Sums after = sums();
            assertEquals(new BigDecimal("0.005024"), after.cost(), "the metrics' cost, once: " + after);
            assertEquals(1011, after.input());
        }
    }

    @Test
    void metricsBelowTheRequestsTakeNothingAwayAndAddOnlyWhatTheyMiss() throws Exception {
        try (Ledger ledger = open()) {
            ledger.record(List.of(telemetry("req_1", T, 1000, 40, "0.004")), List.of());
            ledger.record(List.of(), List.of(total(T, 500, 20, "0.002")));
        }
        assertEquals(new Sums(2, 1, 1000, 40, 300, 20, new BigDecimal("0.004")), sums(),
                "the request's figures stand; the cache tokens the metrics counted beyond them are added");
    }

    @Test
    void aMetricsRowCarriesTheSessionsProject() throws Exception {
        try (Ledger ledger = open()) {
            ledger.record(List.of(), List.of(new MetricTotal("s1", MODEL, T, 7, 1, 0, 0, new BigDecimal("0.0001"),
                    "billing-service")));
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"));
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT project FROM sessions WHERE session_id = 's1'")) {
            assertEquals("billing-service", result.getString(1));
        }
    }

    @Test
    void usageTotalsCountRequestRowsOnlySoThatTheirCountersNeverGoDown() throws Exception {
        try (Ledger ledger = open()) {
            ledger.record(List.of(), List.of(total(T.plusSeconds(3), 1011, 41, "0.005024")));
            assertEquals(List.of(), usageTotals(), "the metrics row is not a request");
            ledger.record(List.of(telemetry("req_1", T, 1000, 40, "0.004")), List.of());
            assertEquals(List.of("1 1000"), usageTotals());
            ledger.record(List.of(telemetry("req_2", T.plusSeconds(2), 11, 1, "0.001024")), List.of());
            assertEquals(List.of("2 1011"), usageTotals());
        }
    }

    private List<String> usageTotals() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"));
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT requests || ' ' || input_tokens FROM usage_totals")) {
            var rows = new ArrayList<String>();
            while (result.next()) {
                rows.add(result.getString(1));
            }
            return rows;
        }
    }

    @Test
    void theSessionsViewCountsRequestsAndSumsMetricsRowsToo() throws Exception {
        try (Ledger ledger = open()) {
            ledger.record(List.of(telemetry("req_1", T, 1000, 40, "0.004")),
                    List.of(total(T.plusSeconds(3), 3000, 80, "0.01")));
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db"));
             ResultSet result = connection.createStatement().executeQuery("SELECT requests, metrics_rows,"
                     + " input_tokens, cache_read_tokens, cost_usd FROM sessions WHERE session_id = 's1'")) {
            assertTrue(result.next());
            assertEquals(1, result.getInt(1), "one request row");
            assertEquals(1, result.getInt(2));
            assertEquals(3000, result.getLong(3), "the larger of metrics and requests");
            assertEquals(300, result.getLong(4));
            assertEquals(0.01, result.getDouble(5), 1e-12);
        }
    }
}
