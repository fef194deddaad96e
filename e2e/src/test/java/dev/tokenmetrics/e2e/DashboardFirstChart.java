package dev.tokenmetrics.e2e;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * For bench/dashboard-bench.sh: loads the dashboard in headless Chromium RUNS times, each a new navigation, and
 * prints the milliseconds from navigation start to the first chart drawn (the page's {@code data-first-chart}) and
 * to every part drawn (its first refresh done, polled every 5 ms), then the floor: a navigation to {@code /health},
 * from start to its load event.
 * Usage: DashboardFirstChart BASE_URL RANGE RUNS
 */
public final class DashboardFirstChart {

    private DashboardFirstChart() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String range = args[1];
        int runs = Integer.parseInt(args[2]);
        var options = new ChromeOptions();
        options.setBinary(DashboardBrowserTest.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,2000", "--no-first-run", "--disable-background-networking",
                "--proxy-server=http://127.0.0.1:9");
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DashboardBrowserTest.CHROMEDRIVER.toFile()).withLogFile(new File("/dev/null"))
                .build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            List<Long> charts = new ArrayList<>();
            List<Long> completes = new ArrayList<>();
            List<Long> floors = new ArrayList<>();
            for (int run = 0; run <= runs; run++) { // run 0 warms up
                browser.get("about:blank");
                browser.get(base + "/#range=" + range);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                Object shown;
                while ((shown = browser.executeScript("return document.documentElement.dataset.firstChart;"))
                        == null) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("no chart within 60 s: " + browser.getPageSource());
                    }
                    Thread.sleep(5);
                }
                // every part drawn: the page's queries are done, none left queued to slow the next run
                Object complete;
                while ((complete = browser.executeScript("return document.documentElement.dataset.refreshes"
                        + " ? Math.round(performance.now()) : null;")) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the page never completed within 60 s");
                    }
                    Thread.sleep(5);
                }
                browser.get(base + "/health");
                Object floor = browser.executeScript(
                        "return Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd);");
                if (run > 0) {
                    charts.add(Long.parseLong(shown.toString()));
                    completes.add(((Number) complete).longValue());
                    floors.add(((Number) floor).longValue());
                }
            }
            System.out.println("first-chart-ms " + join(charts));
            System.out.println("complete-ms " + join(completes));
            System.out.println("floor-ms " + join(floors));
        } finally {
            browser.quit();
        }
    }

    private static String join(List<Long> values) {
        var out = new StringBuilder();
        for (long value : values) {
            out.append(out.length() == 0 ? "" : " ").append(value);
        }
        return out.toString();
    }
}
