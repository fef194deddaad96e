package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's routes over HTTP (docs/DASHBOARD.md): served with a strict Content-Security-Policy and no CORS,
 * behind the same guards as every route (a foreign Host, an Origin, a method other than GET or HEAD are refused), and
 * its API's contract for bad parameters. The page in a browser: e2e's DashboardBrowserTest.
 */
class DashboardHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PAGES = List.of("/", "/dashboard/dashboard.js", "/dashboard/dashboard.css",
            "/dashboard/uPlot.iife.min.js", "/dashboard/uPlot.min.css", "/api/v1/summary",
            "/api/v1/report?report=daily", "/api/v1/heatmap", "/api/v1/requests?session=x",
            "/api/v1/cli?arg=--help&home=" + URLEncoder.encode(System.getenv().getOrDefault("HOME",
                    System.getProperty("user.home")), StandardCharsets.UTF_8));

    @TempDir
    Path home;
    private RunningReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = RunningReceiver.start(home);
        receiver.awaitLedgerOpen(); // the API answers 503 until then
        receiver.awaitPublished();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void everyPageIsServedWithAStrictPolicyAndNoCors() throws Exception {
        for (String page : PAGES) {
            String response = receiver.raw("GET " + page + " HTTP/1.1\r\nHost: 127.0.0.1:" + receiver.port()
                    + "\r\nConnection: close\r\n\r\n");
            String headers = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
            assertTrue(headers.startsWith("http/1.1 200"), page + ": " + headers);
            assertTrue(headers.contains("content-security-policy: default-src 'self'; script-src 'self';"
                    + " style-src 'self';"), page + ": " + headers);
            assertTrue(headers.contains("x-content-type-options: nosniff"), page);
            assertFalse(headers.contains("access-control-"), page + " must not allow other origins: " + headers);
        }
        HttpResponse<String> page = receiver.get("/");
        assertTrue(page.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
        assertFalse(page.body().contains("<script>"), "no inline script");
        assertFalse(page.body().contains("http://") || page.body().contains("https://"), "nothing from outside");
    }

    @Test
    void aForeignHostAnOriginOrAnotherMethodIsRefused() throws Exception {
        for (String page : List.of("/", "/api/v1/summary", "/dashboard/dashboard.js", "/api/v1/cli?arg=daily")) {
            String rebound = receiver.raw("GET " + page + " HTTP/1.1\r\nHost: evil.example:4318\r\n\r\n");
            assertTrue(rebound.startsWith("HTTP/1.1 403"), page + ": " + rebound);
            String origin = receiver.raw("GET " + page + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Origin: http://127.0.0.1:" + receiver.port() + "\r\n\r\n");
            assertTrue(origin.startsWith("HTTP/1.1 403"), page + ": " + origin);
            String post = receiver.raw("POST " + page + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(post.startsWith("HTTP/1.1 405"), page + ": " + post);
        }
        assertTrue(receiver.raw("GET /dashboard/other.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .startsWith("HTTP/1.1 404"), "only the page's own files");
    }

    @Test
    void badParametersAreA400WithAOneLineError() throws Exception {
        assertError("/api/v1/report", "report: missing");
        assertError("/api/v1/report?report=yearly", "report: 'yearly' is not a report");
        assertError("/api/v1/report?report=daily&sinse=2026-01-01", "unknown parameter 'sinse'");
        assertError("/api/v1/report?report=daily&since=2026-13-01", "since: '2026-13-01' is not a date");
        assertError("/api/v1/report?report=daily&since=2026-02-01&until=2026-01-01", "is after until");
        assertError("/api/v1/report?report=daily&format=xml", "format: 'xml' is not json or csv");
        assertError("/api/v1/report?report=session&limit=0", "limit: '0' is not a number from 1 to 5000");
        assertError("/api/v1/summary?since=2026-01-01", "unknown parameter 'since'");
        assertError("/api/v1/requests", "session: missing");
        assertError("/api/v1/heatmap?timezone=Mars/Olympus", "is not a time zone");
    }

    @Test
    void anEmptyLedgerAnswersZerosNotErrors() throws Exception {
        JsonNode summary = JSON.readTree(receiver.get("/api/v1/summary").body());
        assertEquals(0, summary.path("today").path("totalTokens").asLong());
        assertEquals(0, summary.path("activeSessions").asInt());
        assertTrue(summary.path("budget").isNull(), "no budget set");
        HttpResponse<String> csv = receiver.get("/api/v1/report?report=daily&format=csv");
        assertTrue(csv.headers().firstValue("content-type").orElseThrow().startsWith("text/csv"));
        assertTrue(csv.body().startsWith("date,model,requests,"), csv.body());
    }

    private void assertError(String path, String message) throws Exception {
        HttpResponse<String> response = receiver.get(path);
        assertEquals(400, response.statusCode(), path + ": " + response.body());
        String error = JSON.readTree(response.body()).path("error").asText();
        assertTrue(error.contains(message), path + ": " + error);
        assertFalse(error.contains("\n"), "one line");
    }
}
