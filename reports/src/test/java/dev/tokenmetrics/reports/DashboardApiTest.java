package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.query.DashboardApi;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's API (docs/DASHBOARD.md) over a ledger the receiver's own code wrote, at a fixed now. */
class DashboardApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z"); // a Wednesday

    @TempDir
    Path dir;
    private Path database;

    @BeforeEach
    void ledger() throws Exception {
        database = new TestLedger()
                .request("s1", "2026-11-30T09:15:00Z", "claude-opus-5-5", 100, 10, 0, 1000, "0.50", CostSource.EXACT)
                .request("s1", "2026-11-30T09:45:00Z", "claude-opus-5-5", 100, 10, 0, 1000, "0.25", CostSource.EXACT)
                .request("s2", "2026-12-02T09:58:00Z", "claude-haiku-5", 50, 5, 5, 0, "0.125", CostSource.TABLE)
                .request("s2", "2026-12-02T09:59:00Z", "claude-haiku-5", 50, 5, 5, 0, null, null)
                .write(dir.resolve("usage.db"));
    }

    private JsonNode answer(String path, BigDecimal budget, String... parameters) throws Exception {
        var api = new DashboardApi(database, Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC, budget);
        Map<String, List<String>> query = new HashMap<>();
        for (int i = 0; i < parameters.length; i += 2) {
            query.put(parameters[i], List.of(parameters[i + 1]));
        }
        DashboardApi.Answer answer = api.answer(path, query);
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        assertEquals(200, answer.status(), body);
        return JSON.readTree(body);
    }

    @Test
    void theSummaryIsTodayTheActiveSessionsAndTheBudget() throws Exception {
        JsonNode summary = answer(DashboardApi.SUMMARY, new BigDecimal("10"));
        assertEquals("2026-12-02", summary.path("date").asText());
        assertEquals(2, summary.path("today").path("requests").asLong());
        assertEquals(120, summary.path("today").path("totalTokens").asLong());
        assertEquals(new BigDecimal("0.125"), summary.path("today").path("totalCost").decimalValue());
        assertEquals(1, summary.path("today").path("unpricedRequests").asLong(), "unpriced: counted apart");
        assertEquals(1, summary.path("activeSessions").asInt(), "s2 ran a minute ago; s1 two days ago");
        JsonNode budget = summary.path("budget");
        assertEquals(1, budget.path("todayPercent").asInt(), "0.125 of 10, rounded down");
        assertEquals(new BigDecimal("310"), budget.path("monthBudget").decimalValue(), "10 a day, 31 days");
        assertEquals(new BigDecimal("0.125"), budget.path("monthSpent").decimalValue());
        // 0.125 over the month's first 34 hours, at that rate until the 31st ends: 0.125 * 744 / 34
        assertEquals(new BigDecimal("2.74"), budget.path("monthEndForecast").decimalValue());
        assertTrue(answer(DashboardApi.SUMMARY, null).path("budget").isNull(), "no budget: null");
    }

    @Test
    void aReportWithALimitKeepsItsLatestRowsAndAllItsTotals() throws Exception {
        JsonNode sessions = answer(DashboardApi.REPORT, null, "report", "session", "limit", "1");
        assertEquals(1, sessions.path("sessions").size());
        assertEquals("s2", sessions.path("sessions").get(0).path("sessionId").asText(), "the latest");
        assertEquals(2340, sessions.path("totals").path("totalTokens").asLong(), "every session's tokens");
        JsonNode daily = answer(DashboardApi.REPORT, null, "report", "daily", "since", "2026-12-01");
        assertEquals(1, daily.path("daily").size());
        assertEquals("2026-12-02", daily.path("daily").get(0).path("date").asText());
    }

    @Test
    void theHeatmapPutsEachRequestInItsLocalDayAndHour() throws Exception {
        JsonNode utc = answer(DashboardApi.HEATMAP, null).path("cells");
        assertEquals(2, utc.size());
        assertEquals(1, utc.get(0).path("weekday").asInt(), "2026-11-30 was a Monday");
        assertEquals(9, utc.get(0).path("hour").asInt());
        assertEquals(2220, utc.get(0).path("totalTokens").asLong(), "both of s1's requests in one cell");
        assertEquals(3, utc.get(1).path("weekday").asInt(), "2026-12-02 a Wednesday");
        JsonNode tokyo = answer(DashboardApi.HEATMAP, null, "timezone", "Asia/Tokyo").path("cells");
        assertEquals(18, tokyo.get(0).path("hour").asInt(), "09:15 UTC is 18:15 in Tokyo");
        assertEquals(1, tokyo.get(0).path("weekday").asInt());
        assertEquals(18, tokyo.get(1).path("hour").asInt());
    }

    @Test
    void aSessionsRequestsAreItsLatestInTimeOrderWithTheRestCounted() throws Exception {
        JsonNode requests = answer(DashboardApi.REQUESTS, null, "session", "s1", "limit", "1");
        assertEquals(1, requests.path("requests").size());
        assertEquals("2026-11-30T09:45:00.000Z", requests.path("requests").get(0).path("time").asText());
        assertEquals(new BigDecimal("0.25"), requests.path("requests").get(0).path("totalCost").decimalValue());
        assertEquals(1, requests.path("omitted").asLong());
        JsonNode unpriced = answer(DashboardApi.REQUESTS, null, "session", "s2").path("requests").get(1);
        assertTrue(unpriced.path("totalCost").isNull(), "an unpriced request is null, never $0");
    }

    @Test
    void aLedgerThatIsNotThereIsA503() {
        var api = new DashboardApi(dir.resolve("none.db"), Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC, null);
        DashboardApi.Answer answer = api.answer(DashboardApi.SUMMARY, Map.of());
        assertEquals(503, answer.status());
        assertTrue(new String(answer.body(), StandardCharsets.UTF_8).contains("no usage ledger at "));
    }
}
