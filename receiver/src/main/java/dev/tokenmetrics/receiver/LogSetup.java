package dev.tokenmetrics.receiver;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * java.util.logging, one line per event: everything to the log file, warnings also to stderr. Stack traces only
 * for SEVERE events, which are the daemon's own faults; a client's error is one line.
 */
final class LogSetup {

    private static final long ROTATE_AT_BYTES = 10L * 1024 * 1024;

    private LogSetup() {
    }

    static void configure(Path logFile) throws IOException {
        Files.createDirectories(logFile.getParent());
        if (Files.exists(logFile) && Files.size(logFile) > ROTATE_AT_BYTES) {
            Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        var formatter = new OneLineFormatter();
        var file = new StreamHandler(Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                formatter) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // a line per event, visible at once
            }
        };
        file.setLevel(Level.INFO);
        var console = new ConsoleHandler();
        console.setFormatter(formatter);
        console.setLevel(Level.WARNING);
        root.addHandler(file);
        root.addHandler(console);
        root.setLevel(Level.INFO);
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
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
