package dev.tokenmetrics.reports;

import dev.tokenmetrics.query.SqliteLibrary;
import dev.tokenmetrics.query.command.Command;
import dev.tokenmetrics.query.command.Terminal;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * {@code claude-token-metrics <report> [options]} in a JVM of its own (docs/REPORTS.md): the command
 * ({@link Command}) with this process's home, time zone and terminal. The launcher asks the receiver first when it
 * runs; this is the path when it does not.
 */
public final class Main {

    static final int USAGE_EXIT = Command.USAGE_EXIT;
    static final int LEDGER_EXIT = Command.LEDGER_EXIT;

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        int status = run(List.of(args), System.getenv(), Instant.now(), out, System.err);
        out.flush();
        System.exit(status);
    }

    static int run(List<String> args, Map<String, String> environment, Instant now, PrintStream out,
                   PrintStream err) {
        var context = new Command.Context(Path.of(System.getProperty("user.home")), ZoneId.systemDefault(),
                Terminal.of(environment), now);
        try {
            return Command.run(args, context, invocation -> SqliteLibrary.useCache(environment), out, err);
        } catch (Command.Refused e) {
            throw new AssertionError("this admission refuses nothing", e);
        }
    }
}
