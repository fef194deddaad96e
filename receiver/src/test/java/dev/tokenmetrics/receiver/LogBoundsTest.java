package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: ~28k malformed requests a second grew receiver.log by 60 MB in 20 s. The log must stay small whatever
 * the input, and the daemon's own events must still be in it.
 */
class LogBoundsTest {

    private static final String SERVER = "dev.tokenmetrics.receiver.http.ReceiverServer";
    private static final String OTLP = "dev.tokenmetrics.receiver.http.OtlpHandler";
    private static final int FLOOD = 100_000; // per event loop; two loops
    private static final Pattern SUMMARY = Pattern.compile("suppressed (\\d+) similar messages in the last \\d+ s");

    @TempDir
    Path stateDir;

    /** Stands in for stderr: what the console would have printed. */
    private static final class Captured extends Handler {
        final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        Captured(Level level) {
            setLevel(level);
            setFormatter(new LogSetup.OneLineFormatter());
        }

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record)) {
                lines.add(getFormatter().format(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static LogRecord record(Level level, String logger, String message) {
        var record = new LogRecord(level, message);
        record.setLoggerName(logger);
        return record;
    }

    /** Two threads, as the event loops are, each logging {@link #FLOOD} messages made by {@code message}. */
    private static void flood(Handler handler, IntFunction<LogRecord> message) throws InterruptedException {
        List<Thread> loops = List.of(new Thread(() -> {
            for (int i = 0; i < FLOOD; i++) {
                handler.publish(message.apply(i));
            }
        }), new Thread(() -> {
            for (int i = FLOOD; i < 2 * FLOOD; i++) {
                handler.publish(message.apply(i));
            }
        }));
        loops.forEach(Thread::start);
        for (Thread loop : loops) {
            loop.join();
        }
    }

    private String logs() throws IOException {
        var text = new StringBuilder();
        for (String name : List.of("receiver.log.1", "receiver.log")) {
            Path file = stateDir.resolve(name);
            if (Files.exists(file)) {
                text.append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return text.toString();
    }

    private long logBytes() throws IOException {
        try (var files = Files.list(stateDir)) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        }
    }

    /** Lines with {@code part} that are not summaries (which quote the last message held back). */
    private static long count(String text, String part) {
        return text.lines().filter(line -> line.contains(part) && !SUMMARY.matcher(line).find()).count();
    }

    @Test
    void twoHundredThousandSimilarWarningsLeaveAFewLinesAndASummaryOfTheRest() throws Exception {
        var console = new Captured(Level.WARNING);
        Handler logging = LogSetup.handler(stateDir.resolve("receiver.log"), console);
        long started = System.nanoTime();

        flood(logging, i -> i % 2 == 0
                ? record(Level.WARNING, SERVER, "closing connection from /127.0.0.1:" + (30000 + i % 30000)
                        + ": io.netty.handler.codec.TooLongFrameException: An HTTP line is larger than " + i + " bytes.")
                : record(Level.INFO, OTLP, "/v1/metrics: 400 malformed protobuf at byte " + i));
        long floodMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        logging.close(); // as at exit: the interval so far is summed up

        String logs = logs();
        // without the limit: ~25 MB, of which the rotation alone would have kept 20
        assertTrue(logBytes() < 16 * 1024, logBytes() + " bytes of logs:\n" + logs);
        assertEquals(RepeatLimiter.PER_KIND, count(logs, "closing connection from /127.0.0.1:"));
        assertEquals(RepeatLimiter.PER_KIND, count(logs, "/v1/metrics: 400 malformed protobuf"));
        assertEquals(2, SUMMARY.matcher(logs).results().count(), logs);
        assertEquals(2 * FLOOD - 2 * RepeatLimiter.PER_KIND, suppressedIn(logs), "every held-back line is counted");
        assertTrue(logs.contains("WARNING suppressed " + (FLOOD - RepeatLimiter.PER_KIND)
                + " similar messages in the last "), "a summary keeps the level of what it sums up: " + logs);
        assertEquals(RepeatLimiter.PER_KIND + 1, console.lines.size(), "stderr is bounded too: " + console.lines);
        System.out.println("logged " + 2 * FLOOD + " messages from two threads in " + floodMillis + " ms");
    }

    private static long suppressedIn(String logs) {
        long total = 0;
        Matcher summary = SUMMARY.matcher(logs);
        while (summary.find()) {
            total += Long.parseLong(summary.group(1));
        }
        return total;
    }

    @Test
    void theDaemonsOwnEventsAreNeverHeldBackHoweverManyKindsOfMessageAClientMakesUp() throws Exception {
        Handler logging = LogSetup.handler(stateDir.resolve("receiver.log"), new Captured(Level.OFF));
        logging.publish(record(Level.INFO, Main.class.getName(), "listening on 127.0.0.1:4318, pid 4242"));

        flood(logging, i -> record(Level.INFO, OTLP, "/v1/logs: 400 unknown field " + randomWord()));
        logging.publish(record(Level.INFO, Daemon.class.getName(), "stopped"));
        logging.close();

        String logs = logs();
        assertTrue(logs.contains("INFO listening on 127.0.0.1:4318, pid 4242"), logs);
        assertTrue(logs.lines().anyMatch(line -> line.endsWith("INFO stopped")), logs);
        assertTrue(logBytes() < 256 * 1024, logBytes() + " bytes");
        // each made-up kind is new, so the first ones pass; past the limit they count as one kind
        assertEquals(RepeatLimiter.KINDS_PER_LOGGER + RepeatLimiter.PER_KIND, count(logs, "/v1/logs: 400 unknown field"));
        assertEquals(2 * FLOOD - RepeatLimiter.KINDS_PER_LOGGER - RepeatLimiter.PER_KIND, suppressedIn(logs));
    }

    private static String randomWord() {
        var word = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            word.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return word.toString();
    }

    @Test
    void heldBackMessagesAreSummedUpAtTheEndOfTheirIntervalWithoutWaitingForMore() throws Exception {
        var target = new Captured(Level.ALL);
        var limiter = new RepeatLimiter(List.of(target), 3, Duration.ofMillis(500));
        try {
            for (int i = 0; i < 50; i++) {
                limiter.publish(record(Level.WARNING, SERVER, "closing connection from /127.0.0.1:" + (40000 + i)));
            }
            assertEquals(3, target.lines.size());

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (target.lines.size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            String summary = String.join("", target.lines);
            assertTrue(summary.contains("WARNING suppressed 47 similar messages in the last 1 s; the last: closing"
                    + " connection from /127.0.0.1:40049"), summary);
        } finally {
            limiter.close();
        }
    }

    @Test
    void masksWhatVariesBetweenRepeatsOfOneMessage() {
        assertEquals(RepeatLimiter.masked("closing connection from /127.0.0.1:54321: reset"),
                RepeatLimiter.masked("closing connection from /127.0.0.1:40000: reset"));
        assertEquals("/#/metrics: # malformed", RepeatLimiter.masked("/v1/metrics: 400 malformed"));
        assertFalse(RepeatLimiter.masked("stopped").equals(RepeatLimiter.masked("started")));
        assertEquals(RepeatLimiter.KEY_CHARS, RepeatLimiter.masked("x".repeat(10_000) + " y").length());
    }

    @Test
    void theLogFileRotatesBySizeWhileRunningKeepingOneOlderFile() throws Exception {
        Path log = stateDir.resolve("receiver.log");
        long limit = 64 * 1024;
        var file = new RotatingLogFile(log, limit);
        file.setFormatter(new LogSetup.OneLineFormatter());

        for (int i = 0; i < 5_000; i++) { // ~500 KB of distinct lines
            file.publish(record(Level.INFO, OTLP, "line " + i + " " + "x".repeat(60)));
        }
        file.close();

        try (var files = Files.list(stateDir)) {
            assertEquals(List.of("receiver.log", "receiver.log.1"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.size(log) <= limit, Files.size(log) + " bytes");
        assertTrue(Files.size(stateDir.resolve("receiver.log.1")) <= limit);
        assertTrue(Files.size(stateDir.resolve("receiver.log.1")) > limit - 200, "rotated only when full");
        assertTrue(Files.readString(log).endsWith("line 4999 " + "x".repeat(60) + System.lineSeparator()));
    }

    @Test
    void aLogFileAlreadyOverTheLimitIsRotatedByTheFirstLine() throws Exception {
        Path log = stateDir.resolve("receiver.log");
        Files.writeString(log, "y".repeat(2_000));
        var file = new RotatingLogFile(log, 1_000);
        file.setFormatter(new LogSetup.OneLineFormatter());

        file.publish(record(Level.INFO, Main.class.getName(), "listening"));
        file.close();

        assertEquals(2_000, Files.size(stateDir.resolve("receiver.log.1")));
        assertTrue(Files.readString(log).contains("INFO listening"));
    }
}
