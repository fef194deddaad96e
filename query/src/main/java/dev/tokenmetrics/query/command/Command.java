package dev.tokenmetrics.query.command;

import dev.tokenmetrics.query.Blocks;
import dev.tokenmetrics.query.Budget;
import dev.tokenmetrics.query.CsvReport;
import dev.tokenmetrics.query.DashboardFile;
import dev.tokenmetrics.query.Grouping;
import dev.tokenmetrics.query.JsonReport;
import dev.tokenmetrics.query.LedgerException;
import dev.tokenmetrics.query.Query;
import dev.tokenmetrics.query.Report;
import dev.tokenmetrics.query.Reports;
import dev.tokenmetrics.query.Usage;
import dev.tokenmetrics.query.UsageLedger;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * What {@code claude-token-metrics <report> [options]} does with its arguments (docs/REPORTS.md): parse, read the
 * ledger, render, write, and the exit status. One implementation for the two places that run it: the command's
 * own JVM ({@code reports}' Main) and the receiver, which answers the launcher when it is running (the dashboard
 * API's {@code /api/v1/cli}). Every failure is one line on {@code err} and an exit status: 2 for the command line,
 * 3 for the ledger.
 */
public final class Command {

    public static final int USAGE_EXIT = 2;
    public static final int LEDGER_EXIT = 3;

    /**
     * What the command takes from where it runs rather than from its arguments: the user's home (the default
     * ledger), the default time zone, the terminal, and the time.
     */
    public record Context(Path home, ZoneId zone, Terminal terminal, Instant now) {
    }

    /**
     * Sees the parsed invocation before the ledger is opened: prepares for it, or refuses it ({@link Refused}),
     * in which case nothing has been read or written.
     */
    @FunctionalInterface
    public interface Admission {
        void admit(Invocation invocation) throws Refused;
    }

    /** The invocation is not for this place to run (the receiver never writes files nor opens another ledger). */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Thrown by the output streams a caller gives to stop the command (an answer grown past what the caller takes);
     * it goes through {@link #run} to the caller.
     */
    public static class Stopped extends RuntimeException {
        public Stopped() {
            super(null, null, false, false);
        }
    }

    private Command() {
    }

    /** Runs the command line; returns its exit status. */
    public static int run(List<String> args, Context context, Admission admission, PrintStream out, PrintStream err)
            throws Refused {
        try {
            Invocation invocation = Arguments.parse(args, context.home(), context.zone(), context.now());
            if (invocation.help()) {
                out.print(Help.TEXT);
                return 0;
            }
            admission.admit(invocation);
            return report(invocation, context.terminal(), context.now(), out, err);
        } catch (UsageError e) {
            err.println("claude-token-metrics: " + e.getMessage());
            return USAGE_EXIT;
        } catch (LedgerException e) {
            err.println("claude-token-metrics: " + e.getMessage());
            return LEDGER_EXIT;
        } catch (IOException e) {
            err.println("claude-token-metrics: cannot write: " + e.getMessage());
            return 1;
        } catch (Stopped e) {
            throw e;
        } catch (RuntimeException e) {
            err.println("claude-token-metrics: internal error: " + e);
            return 1;
        }
    }

    private static int report(Invocation invocation, Terminal terminal, Instant now, PrintStream out,
                              PrintStream err) throws LedgerException, IOException, UsageError {
        Query query = invocation.query();
        String text = null; // the output, unless it is a report's JSON:
        Report json = null; // written from the report straight into out, never a String (a year's sessions: 7.7 MB)
        Report previous = null;
        Usage spent;
        try (UsageLedger ledger = UsageLedger.open(invocation.database())) {
            if (query.grouping() == Grouping.BLOCKS) {
                if (invocation.compare()) {
                    throw new UsageError("--compare does not apply to blocks");
                }
                Blocks.Answer answer = Blocks.run(ledger, query, now);
                spent = answer.totals();
                text = switch (invocation.format()) {
                    case JSON -> JsonReport.render(answer);
                    case CSV -> CsvReport.render(answer, invocation.breakdown());
                    case HTML -> DashboardFile.render(invocation.database(), query, now, JsonReport.render(answer));
                    case TABLE -> TableReport.render(answer, invocation.breakdown(), terminal);
                };
            } else {
                Report report = Reports.run(ledger, query);
                previous = invocation.compare() ? Reports.run(ledger, new Query(query.grouping(),
                        query.period().previous(), query.filters(), query.zone(), query.startOfWeek())) : null;
                spent = report.totals();
                switch (invocation.format()) {
                    case JSON -> {
                        if (invocation.output() == null) {
                            json = report;
                        } else {
                            text = JsonReport.render(report, previous);
                        }
                    }
                    case CSV -> text = CsvReport.render(report, invocation.breakdown());
                    case HTML -> text = DashboardFile.render(invocation.database(), query, now,
                            JsonReport.render(report, previous));
                    case TABLE -> text = TableReport.render(report, previous, invocation.breakdown(), terminal);
                }
            }
        }
        Budget budget = invocation.budget() == null ? null : Budget.of(invocation.budget(), spent, query.period(),
                now, query.zone());
        if (json != null) {
            JsonReport.write(json, previous, out);
        } else if (invocation.output() != null) {
            Files.writeString(invocation.output(), text, StandardCharsets.UTF_8);
        } else {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8); // as the streams encode, in one pass: megabytes
            out.write(bytes, 0, bytes.length);
        }
        if (budget != null) {
            // on stdout beside a table; on stderr when stdout carries JSON or CSV, which it would corrupt
            (invocation.format() == Format.TABLE || invocation.output() != null ? out : err)
                    .print(budget.line());
            return budget.exitStatus();
        }
        return 0;
    }
}
