package dev.tokenmetrics.query;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report command's {@code --html FILE}: the dashboard's page with the API's answers for the query's days and
 * filters embedded, plus the report asked for, so that the file shows what the live page would, offline.
 */
public final class DashboardFile {

    private DashboardFile() {
    }

    /** {@code reportJson}: the report as {@code --json} prints it, shown as a table under the charts. */
    public static String render(Path database, Query query, Instant now, String reportJson) throws LedgerException {
        var api = new DashboardApi(database, Clock.fixed(now, query.zone()), query.zone(), null);
        Map<String, List<String>> range = new HashMap<>(filters(query));
        String since = null;
        String until = null;
        if (query.period().from() != null) {
            since = LocalDate.ofInstant(query.period().from(), query.zone()).toString();
            range.put("since", List.of(since));
        }
        if (query.period().until() != null) {
            until = LocalDate.ofInstant(query.period().until().minusMillis(1), query.zone()).toString();
            range.put("until", List.of(until));
        }
        var data = new LinkedHashMap<String, String>();
        data.put("since", since == null ? "null" : '"' + since + '"');
        data.put("until", until == null ? "null" : '"' + until + '"');
        data.put("summary", body(api.answer(DashboardApi.SUMMARY, filters(query))));
        data.put("daily", body(api.answer(DashboardApi.REPORT, with(range, "report", "daily"))));
        var recent = new HashMap<>(filters(query));
        recent.put("report", List.of("blocks"));
        recent.put("since", List.of(LocalDate.ofInstant(now, query.zone()).minusDays(1).toString()));
        data.put("blocks", body(api.answer(DashboardApi.REPORT, recent)));
        data.put("project", body(api.answer(DashboardApi.REPORT, with(range, "report", "project"))));
        data.put("branch", body(api.answer(DashboardApi.REPORT, with(range, "report", "branch"))));
        data.put("heatmap", body(api.answer(DashboardApi.HEATMAP, range)));
        var sessions = with(range, "report", "session");
        sessions.put("limit", List.of("50"));
        data.put("session", body(api.answer(DashboardApi.REPORT, sessions)));
        data.put("report", reportJson);
        data.put("reportName", '"' + query.grouping().command() + '"');
        return DashboardPage.standalone(data);
    }

    private static Map<String, List<String>> filters(Query query) {
        var filters = new HashMap<String, List<String>>();
        filters.put("timezone", List.of(query.zone().getId()));
        Filters given = query.filters();
        put(filters, "project", given.project());
        put(filters, "branch", given.branch());
        put(filters, "model", given.model());
        put(filters, "session", given.session());
        return filters;
    }

    private static void put(Map<String, List<String>> parameters, String name, String value) {
        if (value != null) {
            parameters.put(name, List.of(value));
        }
    }

    private static Map<String, List<String>> with(Map<String, List<String>> parameters, String name, String value) {
        var copy = new HashMap<>(parameters);
        copy.put(name, List.of(value));
        return copy;
    }

    private static String body(DashboardApi.Answer answer) throws LedgerException {
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        if (answer.status() != 200) {
            throw new LedgerException(body.replaceAll("\\s+", " ").replaceAll("^\\{ \"error\": \"|\" \\}\\s*$", ""));
        }
        return body;
    }
}
