package dev.tokenmetrics.query;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's page: one HTML file, its script and style, and uPlot (from its WebJar), all from the classpath.
 * The receiver serves them at {@link #PATHS}, and the page fetches its data from the API; {@link #standalone} writes
 * the same page as one file with everything inline, its data embedded (the report command's {@code --html}).
 */
public final class DashboardPage {

    /** A file of the page: its Content-Type and bytes. */
    public record Asset(String contentType, byte[] body) {
    }

    private static final String HERE = "/dev/tokenmetrics/query/dashboard/";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

    /** URL path to resource, in the order the page loads them. */
    public static final Map<String, String> PATHS = paths();

    private DashboardPage() {
    }

    private static Map<String, String> paths() {
        var paths = new LinkedHashMap<String, String>();
        paths.put("/", HERE + "index.html");
        paths.put("/dashboard/uPlot.min.css", UPLOT + "uPlot.min.css");
        paths.put("/dashboard/dashboard.css", HERE + "dashboard.css");
        paths.put("/dashboard/uPlot.iife.min.js", UPLOT + "uPlot.iife.min.js");
        paths.put("/dashboard/dashboard.js", HERE + "dashboard.js");
        return Map.copyOf(paths);
    }

    /** Every file, read once (about 80 KB): served from memory. */
    public static Map<String, Asset> assets() {
        var assets = new LinkedHashMap<String, Asset>();
        PATHS.forEach((path, resource) -> assets.put(path, new Asset(contentType(resource), read(resource))));
        return Map.copyOf(assets);
    }

    /**
     * The page as one file that opens offline: styles and scripts inline, and {@code data} (the API's answers by the
     * names the script asks for, as JSON texts) in a {@code script#embedded-data} element, which the script reads
     * instead of polling.
     */
    public static String standalone(Map<String, String> data) {
        String page = text("/");
        var json = new StringBuilder("{");
        data.forEach((name, answer) -> {
            if (json.length() > 1) {
                json.append(",\n");
            }
            json.append('"').append(name).append("\": ").append(answer.strip());
        });
        json.append('}');
        page = replace(page, "<link rel=\"stylesheet\" href=\"dashboard/uPlot.min.css\">",
                "<style>" + text("/dashboard/uPlot.min.css") + "</style>");
        page = replace(page, "<link rel=\"stylesheet\" href=\"dashboard/dashboard.css\">",
                "<style>" + text("/dashboard/dashboard.css") + "</style>");
        page = replace(page, "<script src=\"dashboard/uPlot.iife.min.js\"></script>",
                "<script>" + scriptSafe(text("/dashboard/uPlot.iife.min.js")) + "</script>");
        return replace(page, "<script src=\"dashboard/dashboard.js\"></script>",
                "<script type=\"application/json\" id=\"embedded-data\">" + scriptSafe(json.toString())
                        + "</script>\n<script>" + scriptSafe(text("/dashboard/dashboard.js")) + "</script>");
    }

    /** Nothing inside a script element may close it or open a comment there. */
    private static String scriptSafe(String text) {
        return text.replace("</", "<\\/").replace("<!--", "<\\!--");
    }

    private static String replace(String page, String tag, String inline) {
        int at = page.indexOf(tag);
        if (at < 0) {
            throw new IllegalStateException("the dashboard page lost its tag " + tag);
        }
        return page.substring(0, at) + inline + page.substring(at + tag.length());
    }

    private static String text(String path) {
        return new String(read(PATHS.get(path)), StandardCharsets.UTF_8);
    }

    private static byte[] read(String resource) {
        try (InputStream in = DashboardPage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String resource) {
        if (resource.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (resource.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/javascript; charset=utf-8";
    }
}
