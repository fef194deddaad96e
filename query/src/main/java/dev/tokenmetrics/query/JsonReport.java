package dev.tokenmetrics.query;

import java.io.OutputStream;
import java.util.List;
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
        return write(report, previous, new Json()).toString();
    }

    /** The report as {@link #render(Report, Report)} writes it, into {@code out} as it is written. */
    public static void write(Report report, Report previous, OutputStream out) {
        write(report, previous, new Json(out)).flush();
    }

    private static final Json.Name SESSION_ID = Json.Name.of("sessionId");
    private static final Json.Name HOUR = Json.Name.of("hour");
    private static final Json.Name LAST_ACTIVITY = Json.Name.of("lastActivity");
    private static final Json.Name MODELS_USED = Json.Name.of("modelsUsed");
    private static final Json.Name MODEL_BREAKDOWNS = Json.Name.of("modelBreakdowns");
    private static final Json.Name MODEL_NAME = Json.Name.of("modelName");
    private static final Json.Name PROJECT_PATH = Json.Name.of("projectPath");
    private static final Json.Name FIRST_ACTIVITY_TIME = Json.Name.of("firstActivityTime");
    private static final Json.Name LAST_ACTIVITY_TIME = Json.Name.of("lastActivityTime");
    private static final Json.Name PROJECTS = Json.Name.of("projects");
    private static final Json.Name BRANCHES = Json.Name.of("branches");
    private static final Json.Name INPUT_TOKENS = Json.Name.of("inputTokens");
    private static final Json.Name OUTPUT_TOKENS = Json.Name.of("outputTokens");
    private static final Json.Name CACHE_CREATION_TOKENS = Json.Name.of("cacheCreationTokens");
    private static final Json.Name CACHE_READ_TOKENS = Json.Name.of("cacheReadTokens");
    private static final Json.Name TOTAL_TOKENS = Json.Name.of("totalTokens");
    private static final Json.Name TOTAL_COST = Json.Name.of("totalCost");
    private static final Json.Name COST = Json.Name.of("cost");
    private static final Json.Name REQUESTS = Json.Name.of("requests");
    private static final Json.Name EXACT_COST = Json.Name.of("exactCost");
    private static final Json.Name ESTIMATED_COST = Json.Name.of("estimatedCost");
    private static final Json.Name UNPRICED_REQUESTS = Json.Name.of("unpricedRequests");

    private static Json write(Report report, Report previous, Json json) {
        Grouping grouping = report.query().grouping();
        json.object().array(arrayName(grouping));
        Json.Name key = switch (grouping) {
            case SESSION -> SESSION_ID;
            case HOURLY -> HOUR;
            default -> Json.Name.of(grouping.column());
        };
        LocalDays days = new LocalDays(report.query().zone());
        for (Row row : report.rows()) {
            row(json, grouping, key, row, days);
        }
        json.end();
        totals(json.object("totals"), report.totals()).end();
        if (previous != null) {
            json.object("previousPeriod").field("since", Times.iso(previous.query().period().from()))
                    .field("until", Times.iso(previous.query().period().until()));
            totals(json.object("totals"), previous.totals()).end().end();
        }
        return json.end().lineEnd();
    }

    /** One row: a method of its own, compiled after a few rows rather than a long loop's thousands of iterations. */
    private static void row(Json json, Grouping grouping, Json.Name key, Row row, LocalDays days) {
        json.element().object();
        json.field(key, row.key());
        usage(json, row.usage(), TOTAL_COST);
        if (grouping == Grouping.SESSION) {
            json.date(LAST_ACTIVITY, days.epochDay(row.last().toEpochMilli()));
        }
        json.field(MODELS_USED, row.modelNames());
        json.array(MODEL_BREAKDOWNS);
        List<Map.Entry<String, Usage>> models = row.modelsByCost();
        for (int i = 0, n = models.size(); i < n; i++) {
            Map.Entry<String, Usage> model = models.get(i);
            json.element().object().field(MODEL_NAME, model.getKey());
            usage(json, model.getValue(), COST);
            json.end();
        }
        json.end();
        if (grouping == Grouping.SESSION) {
            json.field(PROJECT_PATH, row.projects().isEmpty() ? "Unknown Project" : row.projects().get(0));
        }
        json.time(FIRST_ACTIVITY_TIME, row.first().toEpochMilli())
                .time(LAST_ACTIVITY_TIME, row.last().toEpochMilli());
        if (grouping == Grouping.SESSION) {
            json.field(PROJECTS, row.projects()).field(BRANCHES, row.branches());
        }
        json.end();
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
        json.field(INPUT_TOKENS, usage.input()).field(OUTPUT_TOKENS, usage.output())
                .field(CACHE_CREATION_TOKENS, usage.cacheCreation()).field(CACHE_READ_TOKENS, usage.cacheRead());
        cost(json, TOTAL_COST, usage);
        json.field(TOTAL_TOKENS, usage.totalTokens());
        return ours(json, usage);
    }

    /** The four token types and the cost, as ccusage names them in a row or a model breakdown; then ours. */
    private static void usage(Json json, Usage usage, Json.Name costName) {
        json.field(INPUT_TOKENS, usage.input()).field(OUTPUT_TOKENS, usage.output())
                .field(CACHE_CREATION_TOKENS, usage.cacheCreation()).field(CACHE_READ_TOKENS, usage.cacheRead());
        if (costName == TOTAL_COST) {
            json.field(TOTAL_TOKENS, usage.totalTokens());
        }
        cost(json, costName, usage);
        ours(json, usage);
    }

    private static Json ours(Json json, Usage usage) {
        return json.field(REQUESTS, usage.requests()).usd(EXACT_COST, usage.exactPicos())
                .usd(ESTIMATED_COST, usage.estimatedPicos()).field(UNPRICED_REQUESTS, usage.unpriced());
    }

    /** The priced cost, or null when nothing is priced (unknown, never $0). */
    private static void cost(Json json, Json.Name name, Usage usage) {
        if (usage.whollyUnpriced()) {
            json.nullField(name);
        } else {
            json.usd(name, usage.exactPicos() + usage.estimatedPicos());
        }
    }

    private static java.math.BigDecimal cost(Usage usage) {
        return usage.whollyUnpriced() ? null : usage.cost();
    }
}
