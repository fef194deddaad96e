package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.ClaudeCodeCli;
import dev.tokenmetrics.receiver.RunningReceiver;
import dev.tokenmetrics.receiver.Skip;
import dev.tokenmetrics.receiver.StandInMessagesApi;
import dev.tokenmetrics.receiver.http.ServerLimits;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real browser (Debian's headless Chromium through its chromedriver), against a receiver fed by
 * the real Claude Code CLI and the stand-in API: the page shows the ledger's figures, follows a new export without a
 * reload, lists a session's requests, logs no error to the console and asks nothing of any host but the receiver.
 * Leaves a screenshot beside the test reports (target/surefire-reports/dashboard.png).
 */
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double DAILY_BUDGET = 25;

    @TempDir
    Path home;
    private Path claude;
    private StandInMessagesApi api;
    private RunningReceiver receiver;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        claude = ClaudeCodeCli.require();
        Skip.unlessInstalled(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium not found: apt-get install chromium chromium-driver (.ci/run installs them)");
        api = new StandInMessagesApi();
        receiver = RunningReceiver.start(home, 0, ServerLimits.DEFAULTS, DAILY_BUDGET);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void thePageShowsTheLedgersFiguresAndFollowsANewExportWithoutAReload() throws Exception {
        String first = ClaudeCodeCli.print(claude, home, api.baseUrl(), receiver.port(), "say hi", Map.of())
                .path("session_id").asText();
        Today ledger = awaitLedgerToday(first);

        browser = chromium();
        browser.get("http://127.0.0.1:" + receiver.port() + "/");
        awaitFigure("today-total", ledger.tokens());
        assertCostEquals(ledger.cost(), figure("today-cost"), "today's cost");
        assertEquals(String.valueOf(ledger.requests()), figure("today-requests"), "today's requests");
        assertEquals("1", figure("active-sessions"), "the session that just ran is active");
        assertTrue(browser.findElement(By.id("budget-card")).isDisplayed(), "a budget is set: its card shows");
        assertTrue(browser.findElement(By.id("budget")).getText().contains("Month-end forecast"));
        assertTrue(browser.findElements(By.cssSelector("#chart-cost canvas")).size() == 1, "the cost chart drawn");
        assertTrue(browser.findElements(By.cssSelector("#chart-tokens canvas")).size() == 1, "the token chart drawn");
        assertEquals(1, browser.findElements(By.cssSelector("#sessions tbody tr")).size(), "one session listed");
        browser.executeScript("window.loadedOnce = true;"); // gone if the page reloads

        String second = ClaudeCodeCli.print(claude, home, api.baseUrl(), receiver.port(), "say hi again", Map.of())
                .path("session_id").asText();
        Today after = awaitLedgerToday(second);
        assertTrue(after.tokens() > ledger.tokens(), "the second run added tokens");
        awaitFigure("today-total", after.tokens());
        assertCostEquals(after.cost(), figure("today-cost"), "today's cost after the second run");
        assertEquals(Boolean.TRUE, browser.executeScript("return window.loadedOnce === true;"), "no reload");
        awaitCondition(() -> browser.findElements(By.cssSelector("#sessions tbody tr")).size() == 2,
                "both sessions listed");

        browser.findElement(By.cssSelector("#sessions tr[data-session='" + second + "']")).click();
        int requests = receiver.ledgerSums(second).requests();
        awaitCondition(() -> browser.findElements(By.cssSelector("#requests-table tr")).size() == requests + 1,
                "the session's " + requests + " requests listed under it");

        Path reports = Path.of("target/surefire-reports");
        Files.createDirectories(reports);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), reports.resolve("dashboard.png"),
                StandardCopyOption.REPLACE_EXISTING);

        List<String> errors = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
                errors.add(entry.getLevel() + " " + entry.getMessage());
            }
        }
        assertEquals(List.of(), errors, "the browser's console");
        String origin = "http://127.0.0.1:" + receiver.port() + "/";
        List<String> requested = requestedUrls();
        assertFalse(requested.isEmpty(), "the network log was read");
        for (String url : requested) {
            // data: URLs are inline (Chromium's own date-picker icon is one): nothing goes over the network
            assertTrue(url.startsWith(origin) || url.startsWith("data:"), "a request left the receiver: " + url);
        }
    }

    @Test
    void theApiAnswersWhatTheReportCommandPrints() throws Exception {
        String session = ClaudeCodeCli.print(claude, home, api.baseUrl(), receiver.port(), "say hi", Map.of())
                .path("session_id").asText();
        awaitLedgerToday(session);
        Path database = receiver.stateDir().resolve("usage.db");
        for (String report : List.of("daily", "session", "project", "branch", "model")) {
            var command = new ProcessBuilder(Shell.SCRIPTS.resolve("claude-token-metrics").toString(), report,
                    "--json", "--db", database.toString()).redirectErrorStream(true).start();
            String printed = new String(command.getInputStream().readAllBytes());
            assertEquals(0, command.waitFor(), printed);
            assertEquals(printed, receiver.get("/api/v1/report?report=" + report).body(), report);
        }
    }

    /** Waits until the ledger holds the session, and returns its figures for today (local). */
    private Today awaitLedgerToday(String session) throws Exception {
        receiver.ledgerSums(session); // waits for the ledger to cover every export so far
        long midnight = LocalDate.now().atStartOfDay(ZoneId.systemDefault()).toInstant().toEpochMilli();
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + receiver.stateDir().resolve("usage.db"));
             var statement = connection.prepareStatement("SELECT count(*), sum(input_tokens + output_tokens"
                     + " + cache_creation_tokens + cache_read_tokens), group_concat(cost_usd, ' ') FROM requests"
                     + " WHERE time_ms >= ?")) {
            statement.setLong(1, midnight);
            try (var result = statement.executeQuery()) {
                result.next();
                BigDecimal cost = BigDecimal.ZERO;
                String costs = result.getString(3);
                for (String one : costs == null ? new String[0] : costs.split(" ")) {
                    cost = cost.add(new BigDecimal(one));
                }
                return new Today(result.getLong(1), result.getLong(2), cost);
            }
        }
    }

    private record Today(long requests, long tokens, BigDecimal cost) {
    }

    private ChromeDriver chromium() {
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,2000", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                // anything but the receiver goes to a proxy that is not there (loopback is never proxied)
                "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL", LogType.PERFORMANCE, "ALL"));
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .withLogFile(new File("target/chromedriver.log")).build();
        return new ChromeDriver(service, options);
    }

    /** The URL of every request the page made, from Chromium's performance (DevTools network) log. */
    private List<String> requestedUrls() throws Exception {
        var urls = new ArrayList<String>();
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = JSON.readTree(entry.getMessage()).path("message");
            if (message.path("method").asText().equals("Network.requestWillBeSent")) {
                urls.add(message.path("params").path("request").path("url").asText());
            }
        }
        return urls;
    }

    private String figure(String id) {
        return browser.findElement(By.id(id)).getDomAttribute("data-value");
    }

    private void awaitFigure(String id, long expected) throws InterruptedException {
        awaitCondition(() -> String.valueOf(expected).equals(figure(id)),
                () -> id + " never showed " + expected + "; it shows " + figure(id) + "; status: "
                        + browser.findElement(By.id("status")).getText());
    }

    private static void assertCostEquals(BigDecimal expected, String shown, String what) {
        // the page holds the API's exact decimal as a JavaScript number: equal to 1e-12 USD
        assertTrue(expected.subtract(new BigDecimal(shown)).abs().compareTo(new BigDecimal("1e-12")) <= 0,
                what + ": ledger " + expected + ", page " + shown);
    }

    private void awaitCondition(Supplier<Boolean> condition, String what) throws InterruptedException {
        awaitCondition(condition, () -> what);
    }

    private void awaitCondition(Supplier<Boolean> condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what.get());
            }
            Thread.sleep(100);
        }
    }
}
