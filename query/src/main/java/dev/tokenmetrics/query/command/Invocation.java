package dev.tokenmetrics.query.command;

import dev.tokenmetrics.query.Query;
import java.math.BigDecimal;
import java.nio.file.Path;

/**
 * A parsed command line: the query, how to write its answer ({@code output} is the file for CSV or HTML, null for
 * standard output), the ledger, and the extras ({@code --breakdown}, {@code --compare}, {@code --budget}).
 */
public record Invocation(Query query, Format format, Path output, Path database, boolean breakdown, boolean compare,
                         BigDecimal budget, boolean help) {
}
