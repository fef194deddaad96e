package dev.tokenmetrics.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Reports as one self-contained HTML file (no script, no external resource: it opens offline and attaches to a CI
 * run): a bar chart of cost per row, exact and estimated stacked (tokens when nothing is priced), then the table.
 * Static SVG and HTML, so a year of rows renders at once.
 */
public final class HtmlReport {

    private record Item(String key, Usage usage) {
    }

    private HtmlReport() {
    }

    public static String render(Report report, Report previous) {
        var items = new ArrayList<Item>();
        for (Row row : report.rows()) {
            items.add(new Item(row.key(), row.usage()));
        }
        String note = previous == null ? "" : "<p>Previous period: " + escape(Money.tokens(
                previous.totals().totalTokens())) + " tokens, " + escape(Money.cost(previous.totals()))
                + "; change: tokens " + Money.change(report.totals().totalTokens(),
                previous.totals().totalTokens()) + ", cost " + Money.change(report.totals().exactPicos()
                + report.totals().estimatedPicos(), previous.totals().exactPicos()
                + previous.totals().estimatedPicos()) + "</p>";
        return page("Claude Code usage, " + report.query().grouping().command(), report.query().grouping().column(),
                items, report.totals(), note);
    }

    public static String render(Blocks.Answer answer) {
        var items = new ArrayList<Item>();
        for (Block block : answer.blocks()) {
            items.add(new Item(block.row().key() + (block.active() ? " (active)" : ""), block.row().usage()));
        }
        return page("Claude Code usage, 5-hour blocks", "block", items, answer.totals(), "");
    }

    private static String page(String title, String column, List<Item> items, Usage totals, String note) {
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width\"><title>").append(escape(title))
                .append("</title><style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}"
                        + "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right;"
                        + "border-bottom:1px solid #ddd}td:first-child,th:first-child{text-align:left}"
                        + "tfoot td{font-weight:bold}.exact{fill:#2b6cb0}.estimated{fill:#90cdf4}"
                        + ".tokens{fill:#a0aec0}svg text{font-size:10px}</style></head><body>\n<h1>")
                .append(escape(title)).append("</h1>\n");
        html.append(chart(items));
        html.append("<p>Cost: ").append(escape(Money.usd(totals.exactCost()))).append(" exact (Claude Code's own), ")
                .append(escape(Money.usd(totals.estimatedCost()))).append(" estimated; ").append(totals.unpriced())
                .append(" requests unpriced (not counted, marked +).</p>\n").append(note);
        html.append("<table><thead><tr><th>").append(escape(column)).append("</th><th>Requests</th><th>Input</th>"
                + "<th>Output</th><th>Cache create</th><th>Cache read</th><th>Total tokens</th><th>Cost (USD)</th>"
                + "<th>Exact</th></tr></thead><tbody>\n");
        for (Item item : items) {
            cells(html.append("<tr><td>").append(escape(item.key())).append("</td>"), item.usage())
                    .append("</tr>\n");
        }
        cells(html.append("</tbody><tfoot><tr><td>Total</td>"), totals).append("</tr></tfoot></table>\n");
        return html.append("</body></html>\n").toString();
    }

    private static StringBuilder cells(StringBuilder html, Usage usage) {
        for (String value : List.of(Money.tokens(usage.requests()), Money.tokens(usage.input()),
                Money.tokens(usage.output()), Money.tokens(usage.cacheCreation()), Money.tokens(usage.cacheRead()),
                Money.tokens(usage.totalTokens()), Money.cost(usage), Money.exactShare(usage))) {
            html.append("<td>").append(escape(value)).append("</td>");
        }
        return html;
    }

    /** Bars per item: exact and estimated cost stacked; tokens instead when no item is priced. */
    private static String chart(List<Item> items) {
        if (items.isEmpty()) {
            return "<p>No usage in this period.</p>\n";
        }
        boolean priced = items.stream().anyMatch(item -> item.usage().exactPicos() + item.usage().estimatedPicos()
                > 0);
        double max = 0;
        for (Item item : items) {
            max = Math.max(max, value(item.usage(), priced));
        }
        int bar = Math.max(2, Math.min(24, 1200 / items.size()));
        int width = bar * items.size();
        int height = 200;
        var svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width + 60)
                .append("\" height=\"").append(height + 20).append("\" role=\"img\"><text x=\"0\" y=\"10\">")
                .append(priced ? escape(Money.usd(Usage.usd(Math.round(max)))) : Money.tokens(Math.round(max)) + " tokens")
                .append("</text>\n");
        for (int i = 0; i < items.size(); i++) {
            Usage usage = items.get(i).usage();
            double x = 50 + i * bar;
            double scale = max > 0 ? height / max : 0;
            if (priced) {
                double exact = usage.exactPicos() * scale;
                double estimated = usage.estimatedPicos() * scale;
                rect(svg, x, height + 15 - exact, bar - 1, exact, "exact", items.get(i).key());
                rect(svg, x, height + 15 - exact - estimated, bar - 1, estimated, "estimated", items.get(i).key());
            } else {
                double tokens = usage.totalTokens() * scale;
                rect(svg, x, height + 15 - tokens, bar - 1, tokens, "tokens", items.get(i).key());
            }
        }
        return svg.append("</svg>\n").toString();
    }

    private static double value(Usage usage, boolean priced) {
        return priced ? usage.exactPicos() + usage.estimatedPicos() : usage.totalTokens();
    }

    private static void rect(StringBuilder svg, double x, double y, double width, double height, String kind,
                             String key) {
        if (height <= 0) {
            return;
        }
        svg.append(String.format(java.util.Locale.ROOT,
                "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s</title></rect>%n",
                kind, x, y, width, height, escape(key + " " + kind)));
    }

    public static String escape(String text) {
        var out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
