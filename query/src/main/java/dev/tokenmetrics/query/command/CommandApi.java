package dev.tokenmetrics.query.command;

import dev.tokenmetrics.query.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TimeZone;

/**
 * {@code GET /api/v1/cli} (docs/DASHBOARD.md): the report command run by the receiver for its launcher, which
 * prints the answer as its own (docs/REPORTS.md, "Answered by the receiver"). The command line is {@code arg}
 * parameters, in order; the caller's surroundings are {@code home}, {@code tz} (its TZ, when set), {@code columns},
 * {@code tty} and {@code no-color} (its COLUMNS, CLAUDE_TOKEN_METRICS_TTY and NO_COLOR, when set). The answer is
 * stdout then stderr in one body, their lengths and the exit status in headers; or, with {@code stderr=header},
 * stdout alone in the body and stderr percent-encoded in a header, so that the launcher's curl prints the body as it
 * arrives. An invocation the receiver must not run (it writes a file, reads another ledger than the receiver's, or
 * comes from another home) or whose time zone it cannot reproduce is a 409, and the launcher runs the command
 * itself. Blocking: callers run it off their event loops.
 */
public final class CommandApi {

    public static final String PATH = "/api/v1/cli";
    public static final String EXIT_STATUS = "X-Exit-Status";
    public static final String STDOUT_LENGTH = "X-Stdout-Length";
    public static final String STDERR_LENGTH = "X-Stderr-Length";
    /** Standard error, percent-encoded, when the caller asks for it in a header ({@code stderr=header}). */
    public static final String STDERR = "X-Stderr";
    /**
     * The most standard error sent in a header, in bytes before encoding: an error or a budget's line is a hundred.
     * A longer one is refused, and the launcher runs the command itself.
     */
    public static final int MAX_STDERR_HEADER = 8 << 10;

    private static final Set<String> SINGLE = Set.of("home", "tz", "columns", "tty", "no-color", "stderr");
    /**
     * The most the receiver answers (stdout and stderr): a year's session report of 5,000 sessions is 7.7 MB of
     * JSON. A larger answer is refused and the launcher runs the command itself: the receiver's heap is small on
     * purpose, and it must never run out answering a report.
     */
    public static final int MAX_ANSWER = 16 << 20;

    /** Thrown through the command's PrintStreams (which swallow IOExceptions) when an answer outgrows its limit. */
    private static final class TooLarge extends Command.Stopped {
    }

    /** What stdout and stderr may still take between them. */
    private static final class Budget {
        private long left;

        Budget(int limit) {
            this.left = limit;
        }

        synchronized void spend(int bytes) {
            if (bytes > left) {
                throw new TooLarge();
            }
            left -= bytes;
        }
    }

    /** One of the answer's streams: counts what goes through it to {@code to}, on the budget it shares. */
    private static final class Counted extends OutputStream {
        private final Budget budget;
        private final OutputStream to;
        private int count;

        Counted(Budget budget, OutputStream to) {
            this.budget = budget;
            this.to = to;
        }

        synchronized int count() {
            return count;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            budget.spend(1);
            to.write(b);
            count++;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            budget.spend(len);
            to.write(b, off, len);
            count += len;
        }
    }

    /**
     * Bytes kept in blocks that grow as they do, never copied to grow: a year's session report is megabytes, each
     * copy of it garbage to collect.
     */
    private static final class Blocks extends OutputStream {
        private static final int FIRST = 8 << 10;
        private static final int LARGEST = 1 << 20;

        private final List<byte[]> full = new ArrayList<>();
        private byte[] block = new byte[0];
        private int count; // in block
        private int size; // in all

        /** These bytes then the other's, in one array. */
        byte[] then(Blocks other) {
            byte[] all = new byte[size + other.size];
            other.copyTo(all, copyTo(all, 0));
            return all;
        }

        private int copyTo(byte[] into, int at) {
            for (byte[] bytes : full) {
                System.arraycopy(bytes, 0, into, at, bytes.length);
                at += bytes.length;
            }
            System.arraycopy(block, 0, into, at, count);
            return at + count;
        }

        @Override
        public void write(int b) {
            if (count == block.length) {
                grow();
            }
            block[count++] = (byte) b;
            size++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            size += len;
            while (len > 0) {
                if (count == block.length) {
                    grow();
                }
                int run = Math.min(len, block.length - count);
                System.arraycopy(b, off, block, count, run);
                count += run;
                off += run;
                len -= run;
            }
        }

        private void grow() {
            if (count > 0) {
                full.add(block);
            }
            block = new byte[Math.min(LARGEST, Math.max(FIRST, size))];
            count = 0;
        }
    }

    /** An HTTP answer: status, Content-Type, body, and the headers it adds. */
    public record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Answer error(int status, String message) {
            String json = new Json().object().field("error", message).end() + "\n";
            return new Answer(status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8),
                    Map.of());
        }
    }

    /**
     * Where the receiver runs: its home (HOME, as the receiver and the launcher take it) and its TZ (null when
     * unset).
     */
    public record Host(Path home, String tz) {
        public static Host current() {
            return new Host(Path.of(System.getenv().getOrDefault("HOME", System.getProperty("user.home"))),
                    System.getenv("TZ"));
        }
    }

    private final Path database;
    private final Clock clock;
    private final Host host;
    private final int maxAnswer;

    /** {@code database}: the receiver's ledger, the only one it reads. */
    public CommandApi(Path database, Clock clock, Host host) {
        this(database, clock, host, MAX_ANSWER);
    }

    /** {@code maxAnswer}: the most bytes answered, stdout and stderr together (see {@link #MAX_ANSWER}). */
    public CommandApi(Path database, Clock clock, Host host, int maxAnswer) {
        this.database = database.toAbsolutePath().normalize();
        this.clock = clock;
        this.host = host;
        this.maxAnswer = maxAnswer;
    }

    /** The answer to a GET with the query string's parameters (decoded). */
    public Answer answer(Map<String, List<String>> parameters) {
        return answer(parameters, null);
    }

    /**
     * The same, but stdout's bytes go to {@code stdout} as the command writes them, rather than into the answer:
     * a 200's body is then stderr's alone, to be sent after them (the headers count both as ever); any other
     * status's body is the whole answer, and what {@code stdout} received is to be dropped. For the receiver, whose
     * own buffers keep a year's session report (7.7 MB) off the Java heap.
     */
    public Answer answer(Map<String, List<String>> parameters, OutputStream stdout) {
        List<String> args = parameters.getOrDefault("arg", List.of());
        Map<String, String> single = new HashMap<>();
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            if (name.equals("arg")) {
                continue;
            }
            if (!SINGLE.contains(name)) {
                return Answer.error(400, "unknown parameter '" + name + "' (see docs/DASHBOARD.md)");
            }
            if (parameter.getValue().size() != 1) {
                return Answer.error(400, name + ": given " + parameter.getValue().size() + " times");
            }
            single.put(name, parameter.getValue().get(0));
        }
        String home = single.get("home");
        if (home == null) {
            return Answer.error(400, "home: missing (the caller's home)");
        }
        String stderrIn = single.getOrDefault("stderr", "body");
        if (!stderrIn.equals("body") && !stderrIn.equals("header")) {
            return Answer.error(400, "stderr: 'body' or 'header', not '" + stderrIn + "'");
        }
        boolean stderrInHeader = stderrIn.equals("header");
        try {
            if (!home.equals(host.home().toString())) {
                throw new Command.Refused("the caller's home is not the receiver's");
            }
            var environment = new HashMap<String, String>();
            copy(single, "columns", environment, "COLUMNS");
            copy(single, "tty", environment, "CLAUDE_TOKEN_METRICS_TTY");
            copy(single, "no-color", environment, "NO_COLOR");
            var context = new Command.Context(host.home(), zone(single.get("tz")), Terminal.of(environment),
                    clock.instant());
            var budget = new Budget(maxAnswer);
            Blocks keptOut = stdout == null ? new Blocks() : null;
            var keptErr = new Blocks();
            var out = new Counted(budget, stdout == null ? keptOut : stdout);
            var err = new Counted(budget, keptErr);
            int status = Command.run(new ArrayList<>(args), context, this::admit,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                            StandardCharsets.UTF_8));
            var headers = new HashMap<String, String>(Map.of(EXIT_STATUS, Integer.toString(status), STDOUT_LENGTH,
                    Integer.toString(out.count()), STDERR_LENGTH, Integer.toString(err.count())));
            if (stderrInHeader) {
                if (err.count() > MAX_STDERR_HEADER) {
                    throw new Command.Refused("standard error is longer than a header takes ("
                            + MAX_STDERR_HEADER + " bytes)");
                }
                headers.put(STDERR, percentEncoded(keptErr.then(new Blocks())));
            }
            // one body, copied once: a year's session report is megabytes
            Blocks none = new Blocks();
            Blocks stdoutKept = keptOut == null ? none : keptOut;
            byte[] body = stderrInHeader ? stdoutKept.then(none) : stdoutKept.then(keptErr);
            return new Answer(200, "text/plain; charset=utf-8", body, Map.copyOf(headers));
        } catch (Command.Refused e) {
            return Answer.error(409, e.getMessage() + "; run the command itself");
        } catch (TooLarge e) {
            return Answer.error(409, "the answer is larger than the receiver gives (" + maxAnswer
                    + " bytes); run the command itself");
        }
    }

    /**
     * Bytes as a header value: printable ASCII as it is, but for '%' and '\\', and every other byte (a space
     * included: a header's value loses its ends' spaces) as %XX, two uppercase hex digits. The launcher decodes it
     * with the shell's printf alone.
     */
    static String percentEncoded(byte[] bytes) {
        var encoded = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%' && c != '\\') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    /** Only what the receiver may do: write to the answer, read its own ledger. */
    private void admit(Invocation invocation) throws Command.Refused {
        if (invocation.output() != null) {
            throw new Command.Refused("the receiver writes no files");
        }
        if (!invocation.database().toAbsolutePath().normalize().equals(database)) {
            throw new Command.Refused("the receiver reads only its own ledger");
        }
    }

    /**
     * The zone the command's own JVM would take by default: the receiver's when both come from the same place
     * (the same TZ, or neither has one: the system's), else the caller's TZ when it names a zone exactly.
     */
    private ZoneId zone(String callerTz) throws Command.Refused {
        String caller = callerTz == null || callerTz.isEmpty() ? null : callerTz;
        String own = host.tz() == null || host.tz().isEmpty() ? null : host.tz();
        if (Objects.equals(caller, own)) {
            return TimeZone.getDefault().toZoneId();
        }
        if (caller == null) {
            throw new Command.Refused("the receiver runs with TZ=" + own + ", the caller with the system's zone");
        }
        String id = caller.startsWith(":") ? caller.substring(1) : caller;
        TimeZone zone = TimeZone.getTimeZone(id);
        if (!zone.getID().equals(id)) {
            throw new Command.Refused("TZ=" + caller + " is not a zone the receiver knows by that name");
        }
        return zone.toZoneId();
    }

    private static void copy(Map<String, String> from, String name, Map<String, String> to, String as) {
        String value = from.get(name);
        if (value != null) {
            to.put(as, value);
        }
    }
}
