package dev.tokenmetrics.query;

import java.time.LocalDate;
import java.util.Map;

/**
 * Reports as JSON. Daily, weekly, monthly, session and blocks use ccusage's shape and field names, so that what
 * reads ccusage's JSON reads ours; every row and total adds our fields (docs/REPORTS.md): {@code requests},
 * {@code exactCost}, {@code estimatedCost}, {@code unpricedRequests}, and for sessions {@code projects} and
 * {@code branches}.
 * {@code totalCost} is the priced cost, or null when nothing in it is priced (unknown, never $0).
 */
public final class JsonReport {

    private JsonReport() {
    }

    public static String render(Report report, Report previous) {
        Grouping grouping = report.query().grouping();
        var json = new Json().object().array(arrayName(grouping));
        for (Row row : report.rows()) {
            json.element().object();
            switch (grouping) {
                case SESSION -> json.field("sessionId", row.key());
                case HOURLY -> json.field("hour", row.key());
                default -> json.field(grouping.column(), row.key());
            }
            usage(json, row.usage(), "totalCost");
            if (grouping == Grouping.SESSION) {
                json.field("lastActivity", LocalDate.ofInstant(row.last(), report.query().zone()).toString());
            }
            json.field("modelsUsed", row.modelNames());
            json.array("modelBreakdowns");
            for (Map.Entry<String, Usage> model : row.modelsByCost()) {
                json.element().object().field("modelName", model.getKey());
                usage(json, model.getValue(), "cost");
                json.end();
            }
            json.end();
            if (grouping == Grouping.SESSION) {
                json.field("projectPath", row.projects().isEmpty() ? "Unknown Project" : row.projects().get(0));
            }
            json.field("firstActivityTime", Times.iso(row.first())).field("lastActivityTime", Times.iso(row.last()));
            if (grouping == Grouping.SESSION) {
                json.field("projects", row.projects()).field("branches", row.branches());
            }
            json.end();
        }
        json.end();
        totals(json.object("totals"), report.totals()).end();
        if (previous != null) {
            json.object("previousPeriod").field("since", Times.iso(previous.query().period().from()))
                    .field("until", Times.iso(previous.query().period().until()));
            totals(json.object("totals"), previous.totals()).end().end();
        }
        return json.end() + "\n";
    }

    public static String render(Blocks.Answer answer) {
        var json = new Json().object().array("blocks");
        for (Block block : answer.blocks()) {
            Row row = block.row();
            Usage usage = row.usage();
            json.element().object().field("id", row.key()).field("startTime", Times.iso(block.start()))
                    .field("endTime", Times.iso(block.end())).field("actualEndTime", Times.iso(row.last()))
                    .field("isActive", block.active()).field("isGap", false).field("entries", usage.requests());
            json.object("tokenCounts").field("inputTokens", usage.input()).field("outputTokens", usage.output())
                    .field("cacheCreationInputTokens", usage.cacheCreation())
                    .field("cacheReadInputTokens", usage.cacheRead()).end();
            json.field("totalTokens", usage.totalTokens()).field("costUSD", cost(usage))
                    .field("models", row.modelNames());
            if (block.activeMinutes() > 0) {
                json.object("burnRate").field("tokensPerMinute", block.tokensPerMinute())
                        .field("tokensPerMinuteForIndicator",
                                (usage.input() + usage.output()) / block.activeMinutes())
                        .field("costPerHour", block.costPerHour()).end();
            } else {
                json.field("burnRate", (String) null);
            }
            if (block.active()) {
                json.object("projection").field("totalTokens", block.projectedTokens(answer.now()))
                        .field("totalCost", block.projectedCost(answer.now()))
                        .field("remainingMinutes", block.remainingMinutes(answer.now())).end();
            } else {
                json.field("projection", (String) null);
            }
            ours(json, usage);
            json.end();
        }
        json.end();
        totals(json.object("totals"), answer.totals()).end();
        return json.end() + "\n";
    }

    private static String arrayName(Grouping grouping) {
        return switch (grouping) {
            case DAILY -> "daily";
            case WEEKLY -> "weekly";
            case MONTHLY -> "monthly";
            case SESSION -> "sessions";
            case BLOCKS -> "blocks";
            case PROJECT -> "projects";
            case BRANCH -> "branches";
            case MODEL -> "models";
            case AGENT -> "agents";
            case HOURLY -> "hours";
        };
    }

    /** The totals object's fields (also the dashboard's today), in {@code json}'s open object. */
    public static Json totals(Json json, Usage usage) {
        json.field("inputTokens", usage.input()).field("outputTokens", usage.output())
                .field("cacheCreationTokens", usage.cacheCreation()).field("cacheReadTokens", usage.cacheRead())
                .field("totalCost", cost(usage)).field("totalTokens", usage.totalTokens());
        return ours(json, usage);
    }

    /** The four token types and the cost, as ccusage names them in a row or a model breakdown; then ours. */
    private static void usage(Json json, Usage usage, String costName) {
        json.field("inputTokens", usage.input()).field("outputTokens", usage.output())
                .field("cacheCreationTokens", usage.cacheCreation()).field("cacheReadTokens", usage.cacheRead());
        if (costName.equals("totalCost")) {
            json.field("totalTokens", usage.totalTokens());
        }
        json.field(costName, cost(usage));
        ours(json, usage);
    }

    private static Json ours(Json json, Usage usage) {
        return json.field("requests", usage.requests()).field("exactCost", usage.exactCost())
                .field("estimatedCost", usage.estimatedCost()).field("unpricedRequests", usage.unpriced());
    }

    private static java.math.BigDecimal cost(Usage usage) {
        return usage.whollyUnpriced() ? null : usage.cost();
    }
}
