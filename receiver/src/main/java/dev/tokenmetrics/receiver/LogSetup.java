package dev.tokenmetrics.receiver;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging, one line per event: everything to the log file, warnings also to stderr. Stack traces only
 * for SEVERE events, which are the daemon's own faults; a client's error is one line. Bounded whatever comes in:
 * repeats are summed up ({@link RepeatLimiter}) and the file rotates by size ({@link RotatingLogFile}).
 */
final class LogSetup {

    /** receiver.log stays under this; receiver.log.1, the one before it, too. */
    static final long ROTATE_AT_BYTES = 10L * 1024 * 1024;

    private LogSetup() {
    }

    static void configure(Path logFile) throws IOException {
        var console = new ConsoleHandler();
        console.setFormatter(new OneLineFormatter());
        console.setLevel(Level.WARNING);
        Handler handler = handler(logFile, console);
        Logger root = Logger.getLogger("");
        for (Handler old : root.getHandlers()) {
            root.removeHandler(old);
        }
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
    }

    /** The daemon's logging: INFO and up to the log file, and to {@code console} what its level lets through. */
    static Handler handler(Path logFile, Handler console) throws IOException {
        var file = new RotatingLogFile(logFile, ROTATE_AT_BYTES);
        file.setFormatter(new OneLineFormatter());
        file.setLevel(Level.INFO);
        return new RepeatLimiter(List.of(file, console), RepeatLimiter.PER_KIND, RepeatLimiter.INTERVAL);
    }

    static final class OneLineFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            var line = new StringBuilder(128)
                    .append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                    .append(record.getLevel().getName()).append(' ')
                    .append(formatMessage(record).replace('\n', ' '));
            Throwable thrown = record.getThrown();
            if (thrown != null) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    var trace = new StringWriter();
                    thrown.printStackTrace(new PrintWriter(trace));
                    line.append(System.lineSeparator()).append(trace);
                } else {
                    line.append(": ").append(thrown);
                }
            }
            return line.append(System.lineSeparator()).toString();
        }
    }
}
