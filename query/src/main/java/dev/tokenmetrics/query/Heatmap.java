package dev.tokenmetrics.query;

import java.util.Map;
import java.util.TreeMap;

/**
 * When the usage happens: totals by local day of the week and hour of the day (7 x 24 cells), grouped in SQL like the
 * hourly report, so that a year of requests leaves SQLite as at most 168 rows per model.
 */
public final class Heatmap {

    private static final long DAY_MS = 86_400_000L;
    private static final long HOUR_MS = 3_600_000L;

    /** A cell: ISO day of the week (1 is Monday) and hour (0-23). */
    public record Cell(int weekday, int hour, Usage usage) {
    }

    private Heatmap() {
    }

    /** The cells with any use, Monday 00:00 first. */
    public static Iterable<Cell> run(UsageLedger ledger, Query query) throws LedgerException {
        // whole hours by model answer it as well as every request: an hour lies in one cell of any whole-hour zone
        UsageLedger.Source source = Reports.source(ledger, query) == UsageLedger.Source.HOURS
                ? UsageLedger.Source.HOURS : UsageLedger.Source.REQUESTS;
        long[] span = ledger.span(source, query.period());
        var cells = new TreeMap<Integer, Usage>();
        if (span != null) {
            String local = "(time_ms + " + LocalTime.offsetMs(query.zone(), span[0], span[1]) + ")";
            // epoch day 0 (1970-01-01) was a Thursday: + 3 makes Monday 0
            String cell = "((" + local + " / " + DAY_MS + " + 3) % 7) * 24 + " + local + " / " + HOUR_MS + " % 24";
            ledger.groups(source, cell, false, query.period(), query.filters(),
                    group -> cells.merge(Integer.parseInt(group.dimension()), group.usage(), Usage::plus));
        }
        return cells.entrySet().stream().map(Heatmap::cell).toList();
    }

    private static Cell cell(Map.Entry<Integer, Usage> entry) {
        return new Cell(entry.getKey() / 24 + 1, entry.getKey() % 24, entry.getValue());
    }
}
