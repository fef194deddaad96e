package dev.tokenmetrics.query;

import java.util.List;
import java.util.Map;

/**
 * Reports as CSV (RFC 4180): one line per row, with {@code --breakdown} also one per model under it (its
 * {@code model} column set). Costs are exact decimals; an unknown cost is an empty field, never 0.
 */
public final class CsvReport {

    private static final String HEADER = "requests,input_tokens,output_tokens,cache_creation_tokens,"
            + "cache_read_tokens,total_tokens,cost_usd,exact_cost_usd,estimated_cost_usd,unpriced_requests,models";

    private CsvReport() {
    }

    public static String render(Report report, boolean breakdown) {
        var out = new StringBuilder(report.query().grouping().column()).append(",model,").append(HEADER)
                .append("\r\n");
        for (Row row : report.rows()) {
            line(out, field(row.key()), "", row.usage(), row.modelNames());
            if (breakdown) {
                for (Map.Entry<String, Usage> model : row.modelsByCost()) {
                    line(out, field(row.key()), model.getKey(), model.getValue(), List.of(model.getKey()));
                }
            }
        }
        return out.toString();
    }

    public static String render(Blocks.Answer answer, boolean breakdown) {
        var out = new StringBuilder("block_start,block_end,active,model,").append(HEADER).append("\r\n");
        for (Block block : answer.blocks()) {
            String key = Times.iso(block.start()) + "," + Times.iso(block.end()) + "," + block.active();
            line(out, key, "", block.row().usage(), block.row().modelNames());
            if (breakdown) {
                for (Map.Entry<String, Usage> model : block.row().modelsByCost()) {
                    line(out, key, model.getKey(), model.getValue(), List.of(model.getKey()));
                }
            }
        }
        return out.toString();
    }

    /** A line after its leading fields ({@code keys}, already CSV). */
    private static void line(StringBuilder out, String keys, String model, Usage usage, List<String> models) {
        out.append(keys)
                .append(',').append(field(model)).append(',')
                .append(usage.requests()).append(',').append(usage.input()).append(',').append(usage.output())
                .append(',').append(usage.cacheCreation()).append(',').append(usage.cacheRead()).append(',')
                .append(usage.totalTokens()).append(',')
                .append(usage.whollyUnpriced() ? "" : usage.cost().toPlainString()).append(',')
                .append(usage.exactCost().toPlainString()).append(',')
                .append(usage.estimatedCost().toPlainString()).append(',').append(usage.unpriced()).append(',')
                .append(field(String.join(" ", models))).append("\r\n");
    }

    public static String field(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }
}
