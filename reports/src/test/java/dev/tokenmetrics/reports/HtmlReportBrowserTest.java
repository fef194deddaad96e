package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.Skip;
import dev.tokenmetrics.receiver.ledger.LedgerYear;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The {@code --html} file of a year, opened in a real browser (headless Chromium, Debian's {@code chromium} and
 * {@code chromium-driver}): the dashboard's page with the data embedded, its charts drawn and the report asked for
 * as a table whose every figure is the JSON report's (to the cent shown), the console clean, and the time to render is printed (bench/reports-bench.sh quotes it). The year is generated
 * (LedgerYear), or the ledger named by {@code -Dhtml.ledger=PATH} (the benchmark's year of heavy use).
 */
class HtmlReportBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path year;
    private static Path database;
    @TempDir
    Path dir;
    private ChromeDriver browser;

    @BeforeAll
    static void aYear() throws Exception {
        Skip.unlessInstalled(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (apt-get install --no-install-recommends chromium chromium-driver)");
        String given = System.getProperty("html.ledger", "");
        if (given.isEmpty()) {
            database = year.resolve("usage.db");
            LedgerYear.main(new String[] {database.toString(), "30000"});
        } else {
            database = Path.of(given);
        }
    }

    @BeforeEach
    void browser() {
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000");
        var logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aYearOfDailyUsageRendersWithTheJsonReportsFigures() throws Exception {
        assertPageShowsTheReport("daily");
    }

    @Test
    void aYearOfSessionsRendersWithTheJsonReportsFigures() throws Exception {
        assertPageShowsTheReport("session");
    }

    private void assertPageShowsTheReport(String report) throws Exception {
        Path html = dir.resolve(report + ".html");
        run(report, "--html", html.toString());
        JsonNode json = JSON.readTree(run(report, "--json"));
        JsonNode rows = json.get(report.equals("session") ? "sessions" : report);
        String key = report.equals("session") ? "sessionId" : "date";

        long started = System.nanoTime();
        browser.get(html.toUri().toString()); // returns once the page has loaded
        double getMs = (System.nanoTime() - started) / 1e6;
        var page = (JavascriptExecutor) browser;
        double loadMs = ((Number) page.executeScript(
                "return performance.getEntriesByType('navigation')[0].loadEventEnd")).doubleValue();
        Object paint = page.executeScript("const p = performance.getEntriesByName('first-contentful-paint');"
                + " return p.length ? p[0].startTime : -1");

        // the report's table: one line per row of the JSON report, in its order, with its figures as rendered
        List<List<String>> lines = texts(page, "#report tbody tr");
        assertEquals(rows.size(), lines.size(), "table rows");
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            List<String> cells = lines.get(i);
            assertEquals(row.get(key).asText(), cells.get(0));
            assertEquals(List.of(row.get("requests").asLong(), row.get("inputTokens").asLong(),
                    row.get("outputTokens").asLong(), row.get("cacheCreationTokens").asLong(),
                    row.get("cacheReadTokens").asLong(), row.get("totalTokens").asLong()),
                    cells.subList(1, 7).stream().map(cell -> Long.parseLong(cell.replace(",", ""))).toList(),
                    "the tokens of " + cells.get(0));
            if (row.get("totalCost").isNull()) {
                assertEquals("unpriced", cells.get(7), "never $0: " + cells.get(0));
            } else {
                BigDecimal cost = row.get("totalCost").decimalValue();
                BigDecimal shown = new BigDecimal(cells.get(7).replace("$", "").replace(",", ""));
                assertTrue(shown.subtract(cost).abs().compareTo(BigDecimal.ONE.movePointLeft(shown.scale())
                        .divide(BigDecimal.valueOf(2))) <= 0, "the cost of " + cells.get(0) + ": " + cells.get(7));
            }
        }

        // the charts: uPlot draws the cost and the tokens per day into canvases of the page's width
        @SuppressWarnings("unchecked")
        var canvases = (List<List<Number>>) page.executeScript("return Array.from(document.querySelectorAll("
                + "'#chart-cost canvas, #chart-tokens canvas'), c => [c.getBoundingClientRect().width,"
                + " c.getBoundingClientRect().height])");
        assertEquals(2, canvases.size(), "two charts drawn");
        for (List<Number> size : canvases) {
            assertTrue(size.get(0).doubleValue() > 300 && size.get(1).doubleValue() > 100, "a chart's size " + size);
        }

        List<String> problems = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
                problems.add(entry.getMessage());
            }
        }
        assertEquals(List.of(), problems, "the browser's console");
        System.out.printf(java.util.Locale.ROOT, "html render: %s, %d rows, %d bytes: load event %.0f ms,"
                        + " first contentful paint %s ms, WebDriver get %.0f ms%n", report, rows.size(), Files.size(html),
                loadMs, paint, getMs);
    }

    /** The rendered text of each cell of the lines the selector picks, in one round trip to the browser. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> texts(JavascriptExecutor page, String selector) {
        return (List<List<String>>) page.executeScript("return Array.from(document.querySelectorAll('" + selector
                + "'), line => Array.from(line.cells, cell => cell.innerText))");
    }

    private String run(String... args) {
        var arguments = new ArrayList<>(List.of(args));
        arguments.addAll(List.of("--db", database.toString(), "--timezone", "UTC"));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(arguments, Map.of(), NOW, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
