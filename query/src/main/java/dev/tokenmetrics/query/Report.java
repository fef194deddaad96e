package dev.tokenmetrics.query;

import java.util.List;

/** A report's answer: its rows in display order, and their totals. */
public record Report(Query query, List<Row> rows, Usage totals) {
    public Report {
        rows = List.copyOf(rows);
    }
}
