package dev.tokenmetrics.query.command;

import dev.tokenmetrics.query.Block;
import dev.tokenmetrics.query.Blocks;
import dev.tokenmetrics.query.Filters;
import dev.tokenmetrics.query.Grouping;
import dev.tokenmetrics.query.Money;
import dev.tokenmetrics.query.Period;
import dev.tokenmetrics.query.Query;
import dev.tokenmetrics.query.Report;
import dev.tokenmetrics.query.Row;
import dev.tokenmetrics.query.Usage;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reports as a terminal table that fits the width: all columns when there is room, fewer (tokens by type, then the
 * models) when narrow. Under it, how much of the cost is exact and how much estimated or unpriced.
 */
final class TableReport {

    private record Column(String title, boolean right, int priority, Function<Line, String> value) {
    }

    /** A table line: a row, a model under it (--breakdown), or the totals. */
    private record Line(String key, String detail, Usage usage, String models, boolean total, boolean sub) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("", false, 0, Line::key),
            new Column("Detail", false, 3, Line::detail),
            new Column("Models", false, 2, Line::models),
            new Column("Input", true, 1, line -> Money.tokens(line.usage().input())),
            new Column("Output", true, 1, line -> Money.tokens(line.usage().output())),
            new Column("Cache Create", true, 1, line -> Money.tokens(line.usage().cacheCreation())),
            new Column("Cache Read", true, 1, line -> Money.tokens(line.usage().cacheRead())),
            new Column("Total Tokens", true, 0, line -> Money.tokens(line.usage().totalTokens())),
            new Column("Cost (USD)", true, 0, line -> Money.cost(line.usage())),
            new Column("Exact", true, 0, line -> Money.exactShare(line.usage())));

    private TableReport() {
    }

    static String render(Report report, Report previous, boolean breakdown, Terminal terminal) {
        Grouping grouping = report.query().grouping();
        var lines = new ArrayList<Line>();
        for (Row row : report.rows()) {
            lines.add(new Line(key(grouping, row), detail(grouping, row, report), row.usage(),
                    String.join(", ", shortModels(row)), false, false));
            if (breakdown) {
                for (Map.Entry<String, Usage> model : row.modelsByCost()) {
                    lines.add(new Line("  └ " + model.getKey(), "", model.getValue(), "", false, true));
                }
            }
        }
        lines.add(new Line("Total", "", report.totals(), "", true, false));
        boolean detail = grouping == Grouping.SESSION;
        String title = switch (grouping) {
            case SESSION -> "Session";
            case HOURLY -> "Hour";
            default -> Character.toUpperCase(grouping.column().charAt(0)) + grouping.column().substring(1);
        };
        var out = new StringBuilder();
        out.append(terminal.paint("1", "Claude Code usage, " + grouping.command() + describe(report.query())))
                .append('\n');
        if (report.rows().isEmpty()) {
            out.append("No usage in this period.\n");
            return out.toString();
        }
        out.append(table(lines, title, detail, grouping != Grouping.MODEL, terminal));
        out.append(footer(report.totals(), terminal));
        if (previous != null) {
            out.append(comparison(report.totals(), previous.totals()));
        }
        return out.toString();
    }

    static String render(Blocks.Answer answer, boolean breakdown, Terminal terminal) {
        var lines = new ArrayList<Line>();
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
        for (Block block : answer.blocks()) {
            String key = time.format(LocalDateTime.ofInstant(block.start(), answer.query().zone()));
            String detail;
            if (block.active()) {
                long left = block.remainingMinutes(answer.now());
                detail = "ACTIVE, " + left / 60 + "h" + twoDigits(left % 60) + "m left";
            } else {
                Duration span = Duration.between(block.row().first(), block.row().last());
                detail = span.toHours() + "h" + twoDigits(span.toMinutesPart()) + "m used";
            }
            lines.add(new Line(key, detail, block.row().usage(), String.join(", ", shortModels(block.row())),
                    false, false));
            if (breakdown) {
                for (Map.Entry<String, Usage> model : block.row().modelsByCost()) {
                    lines.add(new Line("  └ " + model.getKey(), "", model.getValue(), "", false, true));
                }
            }
        }
        lines.add(new Line("Total", "", answer.totals(), "", true, false));
        var out = new StringBuilder();
        out.append(terminal.paint("1", "Claude Code usage, 5-hour blocks" + describe(answer.query()))).append('\n');
        if (answer.blocks().isEmpty()) {
            out.append("No usage in this period.\n");
            return out.toString();
        }
        out.append(table(lines, "Block start", true, true, terminal));
        Block active = answer.active();
        if (active != null) {
            out.append(String.format("Active block: %s tokens/min, %s/h; by %s, at this rate: %s tokens, %s%n",
                    Money.tokens(Math.round(active.tokensPerMinute())),
                    Money.usd(java.math.BigDecimal.valueOf(active.costPerHour())),
                    DateTimeFormatter.ofPattern("HH:mm").format(LocalDateTime.ofInstant(active.end(),
                            answer.query().zone())),
                    Money.tokens(active.projectedTokens(answer.now())),
                    Money.usd(java.math.BigDecimal.valueOf(active.projectedCost(answer.now())))));
        }
        out.append(footer(answer.totals(), terminal));
        return out.toString();
    }

    private static String twoDigits(long value) {
        return (value < 10 ? "0" : "") + value;
    }

    private static String describe(Query query) {
        var parts = new ArrayList<String>();
        Period period = query.period();
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
        if (period.from() != null) {
            parts.add("from " + format.format(LocalDateTime.ofInstant(period.from(), query.zone())));
        }
        if (period.until() != null) {
            parts.add("until " + format.format(LocalDateTime.ofInstant(period.until(), query.zone())));
        }
        Filters filters = query.filters();
        if (filters.project() != null) {
            parts.add("project " + filters.project());
        }
        if (filters.branch() != null) {
            parts.add("branch " + filters.branch());
        }
        if (filters.model() != null) {
            parts.add("model " + filters.model());
        }
        if (filters.session() != null) {
            parts.add("session " + filters.session());
        }
        parts.add(query.zone().getId());
        return " (" + String.join(", ", parts) + ")";
    }

    private static String key(Grouping grouping, Row row) {
        return grouping == Grouping.SESSION ? row.key().substring(0, Math.min(8, row.key().length())) : row.key();
    }

    private static String detail(Grouping grouping, Row row, Report report) {
        if (grouping != Grouping.SESSION) {
            return "";
        }
        String project = row.projects().isEmpty() ? "" : lastSegment(row.projects().get(0));
        String branches = String.join(",", row.branches());
        String last = DateTimeFormatter.ofPattern("MM-dd HH:mm").format(
                LocalDateTime.ofInstant(row.last(), report.query().zone()));
        return last + " " + project + (branches.isEmpty() ? "" : " @" + branches);
    }

    private static String lastSegment(String path) {
        int slash = path.lastIndexOf('/', path.length() - 2);
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    /** Model names without the "claude-" prefix, as ccusage shows them. */
    private static List<String> shortModels(Row row) {
        return row.modelNames().stream().map(name -> name.startsWith("claude-") ? name.substring(7) : name)
                .toList();
    }

    private static String table(List<Line> lines, String title, boolean detail, boolean models,
                                Terminal terminal) {
        var columns = new ArrayList<Column>();
        for (Column column : COLUMNS) {
            if ((column.title().equals("Detail") && !detail) || (column.title().equals("Models") && !models)) {
                continue;
            }
            columns.add(column.title().isEmpty() ? new Column(title, false, 0, column.value()) : column);
        }
        // drop the least needed columns until the table fits: tokens by type first, then models, then details
        for (int priority = 1; priority <= 3 && width(columns, lines) > terminal.width(); priority++) {
            int drop = priority;
            columns.removeIf(column -> column.priority() == drop);
        }
        int[] widths = widths(columns, lines);
        var out = new StringBuilder();
        var header = new ArrayList<String>();
        for (int i = 0; i < columns.size(); i++) {
            header.add(pad(columns.get(i).title(), widths[i], columns.get(i).right()));
        }
        out.append(terminal.paint("36", String.join("  ", header).stripTrailing())).append('\n');
        out.append(rule(widths)).append('\n');
        for (Line line : lines) {
            if (line.total()) {
                out.append(rule(widths)).append('\n');
            }
            var cells = new ArrayList<String>();
            for (int i = 0; i < columns.size(); i++) {
                cells.add(pad(columns.get(i).value().apply(line), widths[i], columns.get(i).right()));
            }
            String text = String.join("  ", cells).stripTrailing();
            out.append(line.total() ? terminal.paint("33;1", text) : line.sub() ? terminal.paint("2", text) : text)
                    .append('\n');
        }
        return out.toString();
    }

    private static final int MAX_TEXT = 40;

    private static int[] widths(List<Column> columns, List<Line> lines) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).title().length();
            for (Line line : lines) {
                widths[i] = Math.max(widths[i], Math.min(MAX_TEXT, columns.get(i).value().apply(line).length()));
            }
        }
        return widths;
    }

    private static int width(List<Column> columns, List<Line> lines) {
        int total = 2 * (columns.size() - 1);
        for (int width : widths(columns, lines)) {
            total += width;
        }
        return total;
    }

    private static String pad(String text, int width, boolean right) {
        if (text.length() > width) {
            return text.substring(0, width - 1) + "…";
        }
        String space = " ".repeat(width - text.length());
        return right ? space + text : text + space;
    }

    private static String rule(int[] widths) {
        int total = 2 * (widths.length - 1);
        for (int width : widths) {
            total += width;
        }
        return "─".repeat(total);
    }

    /** How the cost is known: "Cost: $25.06 exact + $10.21 estimated; 114 of 460 requests unpriced (+)". */
    private static String footer(Usage totals, Terminal terminal) {
        var out = new StringBuilder("Cost: ");
        if (totals.whollyUnpriced()) {
            out.append("unpriced (no request in it has a known price)");
        } else {
            out.append(Money.usd(totals.exactCost())).append(" exact + ").append(Money.usd(totals.estimatedCost()))
                    .append(" estimated");
        }
        out.append("; ").append(Money.tokens(totals.unpriced())).append(" of ").append(Money.tokens(totals.requests()))
                .append(totals.requests() == 1 ? " request" : " requests").append(" unpriced");
        if (totals.unpriced() > 0 && !totals.whollyUnpriced()) {
            out.append(" (not counted: +)");
        }
        return terminal.paint("2", out.toString()) + "\n";
    }

    private static String comparison(Usage now, Usage before) {
        return "Previous period: " + Money.tokens(before.totalTokens()) + " tokens, " + Money.cost(before)
                + "; change: tokens " + Money.change(now.totalTokens(), before.totalTokens()) + ", cost "
                + Money.change(now.exactPicos() + now.estimatedPicos(), before.exactPicos() + before.estimatedPicos())
                + "\n";
    }
}
