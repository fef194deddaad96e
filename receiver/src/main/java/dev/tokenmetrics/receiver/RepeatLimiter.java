package dev.tokenmetrics.receiver;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Passes each kind of message on at most {@code perKind} times per interval, and at the interval's end one line
 * per kind that was held back: "suppressed N similar messages in the last M s; the last: …". A client repeating a
 * bad request thousands of times a second so costs a few lines a minute. A kind is the logger, the level and the
 * message's first {@value #KEY_CHARS} characters with every word that holds a digit masked (ports, addresses,
 * sizes, ids); past {@value #KINDS_PER_LOGGER} kinds of one logger in an interval, its further kinds count as one,
 * so messages made up by a client cannot crowd out another logger's events, such as the daemon's "stopped".
 * <p>
 * Called from the event loops: a held-back message costs a map lookup and an atomic increment, no lock.
 */
final class RepeatLimiter extends Handler {

    static final int PER_KIND = 10;
    static final Duration INTERVAL = Duration.ofSeconds(60);
    static final int KEY_CHARS = 160;
    static final int KINDS_PER_LOGGER = 50;

    private final List<Handler> targets;
    private final int perKind;
    private final AtomicReference<Window> window = new AtomicReference<>(new Window());
    private final ScheduledExecutorService summaries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "log-summaries");
        thread.setDaemon(true);
        return thread;
    });

    RepeatLimiter(List<Handler> targets, int perKind, Duration interval) {
        this.targets = List.copyOf(targets);
        this.perKind = perKind;
        summaries.scheduleAtFixedRate(this::summarize, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One interval's counts. Replaced whole at its end, so counting never waits for the summary. */
    private static final class Window {
        final long startNanos = System.nanoTime();
        final ConcurrentHashMap<String, Kind> kinds = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, AtomicInteger> kindsPerLogger = new ConcurrentHashMap<>();
    }

    private static final class Kind {
        final String loggerName;
        final Level level;
        final AtomicInteger seen = new AtomicInteger();
        volatile String lastHeldBack;

        Kind(String loggerName, Level level) {
            this.loggerName = loggerName;
            this.level = level;
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        Kind kind = kindOf(record, window.get());
        if (kind.seen.incrementAndGet() <= perKind) {
            forward(record);
        } else {
            kind.lastHeldBack = record.getMessage();
        }
    }

    private static Kind kindOf(LogRecord record, Window window) {
        String logger = Objects.toString(record.getLoggerName(), "");
        String key = logger + ' ' + record.getLevel() + ' ' + masked(record.getMessage());
        Kind kind = window.kinds.get(key);
        if (kind != null) {
            return kind;
        }
        if (window.kindsPerLogger.computeIfAbsent(logger, name -> new AtomicInteger()).incrementAndGet()
                > KINDS_PER_LOGGER) {
            key = logger + ' ' + record.getLevel() + " (other messages)";
        }
        return window.kinds.computeIfAbsent(key, k -> new Kind(logger, record.getLevel()));
    }

    /** The message's first characters with each word holding a digit replaced by '#'. */
    static String masked(String message) {
        if (message == null) {
            return "";
        }
        var key = new StringBuilder(Math.min(message.length(), KEY_CHARS));
        int i = 0;
        while (i < message.length() && key.length() < KEY_CHARS) {
            if (!Character.isLetterOrDigit(message.charAt(i))) {
                key.append(message.charAt(i++));
                continue;
            }
            int end = i;
            int limit = Math.min(message.length(), i + KEY_CHARS - key.length());
            boolean digit = false;
            while (end < limit && Character.isLetterOrDigit(message.charAt(end))) {
                digit |= Character.isDigit(message.charAt(end++));
            }
            if (digit) {
                key.append('#');
            } else {
                key.append(message, i, end);
            }
            i = end;
        }
        return key.toString();
    }

    /** Ends the interval: a line for each kind that was held back. */
    private void summarize() {
        Window ended = window.getAndSet(new Window());
        long seconds = Math.max(1, Math.round((System.nanoTime() - ended.startNanos) / 1e9));
        for (Kind kind : ended.kinds.values()) {
            // a publish that read the window just before the swap may still count here: at most a few lost
            int heldBack = kind.seen.get() - perKind;
            if (heldBack > 0) {
                var summary = new LogRecord(kind.level, "suppressed " + heldBack + " similar messages in the last "
                        + seconds + " s; the last: " + kind.lastHeldBack);
                summary.setLoggerName(kind.loggerName);
                forward(summary);
            }
        }
    }

    private void forward(LogRecord record) {
        for (Handler target : targets) {
            target.publish(record);
        }
    }

    @Override
    public void flush() {
        targets.forEach(Handler::flush);
    }

    /** Writes the summaries of the interval so far, then closes the targets. */
    @Override
    public void close() {
        summaries.shutdownNow();
        try {
            summaries.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        summarize();
        targets.forEach(Handler::close);
    }
}
