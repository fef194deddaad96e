package dev.tokenmetrics.query;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard's JSON API (docs/DASHBOARD.md): {@code /api/v1/summary}, {@code /api/v1/report},
 * {@code /api/v1/heatmap} and {@code /api/v1/requests}, answered from the ledger by the same query layer as the
 * report command, so the page and the command print the same numbers. Each answer opens the ledger read-only and
 * closes it; it blocks, so callers run it off their event loops. Holds no state between answers.
 */
public final class DashboardApi {

    public static final String SUMMARY = "/api/v1/summary";
    public static final String REPORT = "/api/v1/report";
    public static final String HEATMAP = "/api/v1/heatmap";
    public static final String REQUESTS = "/api/v1/requests";

    /** A session is active while its last request is this recent. */
    public static final Duration ACTIVE = Duration.ofMinutes(5);
    /** The most session rows or requests one answer lists (bounds the daemon's memory whatever the range). */
    public static final int MAX_ROWS = 5000;

    private static final Set<String> FILTERS = Set.of("timezone", "project", "branch", "model", "session");

    /** An HTTP answer: status, Content-Type, body. */
    public record Answer(int status, String contentType, byte[] body) {
        static Answer json(int status, String json) {
            return new Answer(status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Path database;
    private final Clock clock;
    private final ZoneId zone;
    private final BigDecimal dailyBudget;

    /** {@code dailyBudget}: USD a day, or null without one; {@code zone}: the default for days and hours. */
    public DashboardApi(Path database, Clock clock, ZoneId zone, BigDecimal dailyBudget) {
        this.database = database;
        this.clock = clock;
        this.zone = zone;
        this.dailyBudget = dailyBudget;
    }

    /** The ledger the API reads. */
    public Path database() {
        return database;
    }

    /** The clock its answers read the time from. */
    public Clock clock() {
        return clock;
    }

    /** The answer to a GET of {@code path} with the query string's parameters (decoded). */
    public Answer answer(String path, Map<String, List<String>> parameters) {
        try {
            return switch (path) {
                case SUMMARY -> Answer.json(200, summary(checked(parameters, Set.of())));
                case REPORT -> report(checked(parameters, Set.of("report", "since", "until", "start-of-week",
                        "format", "limit")));
                case HEATMAP -> Answer.json(200, heatmap(checked(parameters, Set.of("since", "until"))));
                case REQUESTS -> Answer.json(200, requests(checked(parameters, Set.of("since", "until", "limit"))));
                default -> error(404, "unknown API path " + path + " (see docs/DASHBOARD.md)");
            };
        } catch (ApiException e) {
            return error(400, e.getMessage());
        } catch (LedgerException e) {
            return error(503, e.getMessage());
        }
    }

    private ApiParameters checked(Map<String, List<String>> parameters, Set<String> also) throws ApiException {
        for (String name : parameters.keySet()) {
            if (!FILTERS.contains(name) && !also.contains(name)) {
                throw new ApiException("unknown parameter '" + name + "' (see docs/DASHBOARD.md)");
            }
        }
        return ApiParameters.of(parameters, zone);
    }

    /** Today (local), the sessions active now, and the budget: what the page refreshes every few seconds. */
    String summary(ApiParameters parameters) throws LedgerException {
        Instant now = clock.instant();
        ZoneId local = parameters.zone();
        LocalDate today = LocalDate.ofInstant(now, local);
        var todayPeriod = new Period(today.atStartOfDay(local).toInstant(), null);
        Filters filters = parameters.filters();
        try (UsageLedger ledger = UsageLedger.open(database)) {
            Report day = Reports.run(ledger, new Query(Grouping.DAILY, todayPeriod, filters, local,
                    DayOfWeek.SUNDAY));
            Report active = Reports.run(ledger, new Query(Grouping.SESSION, new Period(now.minus(ACTIVE), null),
                    filters, local, DayOfWeek.SUNDAY));
            var json = new Json().object().field("now", Times.iso(now)).field("timezone", local.getId())
                    .field("date", today.toString());
            JsonReport.totals(json.object("today"), day.totals()).end();
            json.field("activeSessions", active.rows().size());
            if (dailyBudget == null) {
                json.field("budget", (String) null);
            } else {
                var monthPeriod = new Period(today.withDayOfMonth(1).atStartOfDay(local).toInstant(), null);
                Report month = Reports.run(ledger, new Query(Grouping.MONTHLY, monthPeriod, filters, local,
                        DayOfWeek.SUNDAY));
                Budget daily = Budget.of(dailyBudget, day.totals(), todayPeriod, now, local);
                Budget monthly = Budget.of(dailyBudget.multiply(BigDecimal.valueOf(today.lengthOfMonth())),
                        month.totals(), monthPeriod, now, local);
                json.object("budget").field("daily", dailyBudget).field("todayPercent", daily.percent())
                        .field("month", today.toString().substring(0, 7)).field("monthBudget", monthly.budget())
                        .field("monthSpent", cost(month.totals())).field("monthPercent", monthly.percent())
                        .field("monthEndForecast", monthly.forecast()).end();
            }
            return json.end() + "\n";
        }
    }

    /** A report as the command prints it with --json (or --csv): same query, same renderer. */
    private Answer report(ApiParameters parameters) throws ApiException, LedgerException {
        String name = parameters.text("report");
        Grouping grouping = name == null ? null : Grouping.of(name);
        if (grouping == null) {
            throw new ApiException("report: " + (name == null ? "missing" : "'" + name + "' is not a report")
                    + " (daily, weekly, monthly, session, blocks, project, branch, model, agent, hourly)");
        }
        String format = parameters.text("format") == null ? "json" : parameters.text("format");
        if (!format.equals("json") && !format.equals("csv")) {
            throw new ApiException("format: '" + format + "' is not json or csv");
        }
        int limit = parameters.limit(MAX_ROWS, MAX_ROWS);
        Query query = parameters.query(grouping);
        try (UsageLedger ledger = UsageLedger.open(database)) {
            String body;
            if (grouping == Grouping.BLOCKS) {
                Blocks.Answer answer = Blocks.run(ledger, query, clock.instant());
                List<Block> blocks = answer.blocks();
                answer = new Blocks.Answer(query, answer.now(), blocks.subList(Math.max(0, blocks.size() - limit),
                        blocks.size()), answer.totals());
                body = format.equals("csv") ? CsvReport.render(answer, false) : JsonReport.render(answer);
            } else {
                Report report = Reports.run(ledger, query);
                body = format.equals("csv") ? CsvReport.render(limited(report, limit), false)
                        : JsonReport.render(limited(report, limit), null);
            }
            return format.equals("csv")
                    ? new Answer(200, "text/csv; charset=utf-8", body.getBytes(StandardCharsets.UTF_8))
                    : Answer.json(200, body);
        }
    }

    /**
     * At most {@code limit} rows, the totals still those of all: the latest for time and session reports (sorted
     * oldest first), the largest for the others (sorted by cost).
     */
    private static Report limited(Report report, int limit) {
        List<Row> rows = report.rows();
        if (rows.size() <= limit) {
            return report;
        }
        boolean latest = report.query().grouping().byTime() || report.query().grouping() == Grouping.SESSION;
        return new Report(report.query(), latest ? rows.subList(rows.size() - limit, rows.size())
                : rows.subList(0, limit), report.totals());
    }

    private String heatmap(ApiParameters parameters) throws ApiException, LedgerException {
        Query query = parameters.query(Grouping.HOURLY);
        try (UsageLedger ledger = UsageLedger.open(database)) {
            var json = new Json().object().field("timezone", query.zone().getId()).array("cells");
            for (Heatmap.Cell cell : Heatmap.run(ledger, query)) {
                json.element().object().field("weekday", cell.weekday()).field("hour", cell.hour());
                usage(json, cell.usage()).end();
            }
            return json.end().end() + "\n";
        }
    }

    private String requests(ApiParameters parameters) throws ApiException, LedgerException {
        if (parameters.text("session") == null) {
            throw new ApiException("session: missing (a session id, or the start of one)");
        }
        int limit = parameters.limit(500, MAX_ROWS);
        Query query = parameters.query(Grouping.SESSION);
        try (UsageLedger ledger = UsageLedger.open(database)) {
            SessionRequests.Answer answer = SessionRequests.run(ledger, query, limit);
            var json = new Json().object().field("session", parameters.text("session")).array("requests");
            for (SessionRequests.Request request : answer.requests()) {
                json.element().object().field("time", Times.iso(request.time())).field("model", request.model());
                usage(json, request.usage()).end();
            }
            return json.end().field("omitted", answer.omitted()).end() + "\n";
        }
    }

    /** Tokens and cost as the reports name them. */
    private static Json usage(Json json, Usage usage) {
        return json.field("requests", usage.requests()).field("inputTokens", usage.input())
                .field("outputTokens", usage.output()).field("cacheCreationTokens", usage.cacheCreation())
                .field("cacheReadTokens", usage.cacheRead()).field("totalTokens", usage.totalTokens())
                .field("totalCost", cost(usage)).field("exactCost", usage.exactCost())
                .field("estimatedCost", usage.estimatedCost()).field("unpricedRequests", usage.unpriced());
    }

    private static BigDecimal cost(Usage usage) {
        return usage.whollyUnpriced() ? null : usage.cost();
    }

    private static Answer error(int status, String message) {
        return Answer.json(status, new Json().object().field("error", message).end() + "\n");
    }
}
