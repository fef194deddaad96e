package dev.tokenmetrics.receiver;

import dev.tokenmetrics.query.SqliteLibrary;
import dev.tokenmetrics.receiver.http.Health;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import sun.misc.Signal;

/** {@code token-metrics-receiver}: runs the daemon in the foreground until SIGTERM or SIGINT. */
public final class Main {

    /**
     * Exit codes: 0 also when our daemon already serves the port; 1 any other failure; 2 bad usage; 3 port held by
     * another program or socket; 4 the metrics file already written by another receiver; 5 a directory we write in
     * is unsafe (another user's, or writable by everyone without the sticky bit).
     */
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_PORT_TAKEN = 3;
    static final int EXIT_METRICS_FILE_TAKEN = 4;
    static final int EXIT_UNSAFE_DIRECTORY = 5;

    private Main() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Throwable unexpected) { // e.g. the jar replaced under a running daemon: still exit, never hang
            System.err.println("token-metrics-receiver: " + unexpected);
            code = EXIT_FAILED;
        }
        System.exit(code);
    }

    static int run(String[] args) {
        ReceiverConfig config;
        try {
            config = ReceiverConfig.parse(args, System.getenv());
        } catch (ReceiverConfig.HelpRequested e) {
            System.out.print(ReceiverConfig.USAGE);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("token-metrics-receiver: " + e.getMessage());
            System.err.print(ReceiverConfig.USAGE);
            return EXIT_USAGE;
        }
        List<SafeDirectories.Note> directoryNotes;
        try { // before anything, the log included, is written there
            directoryNotes = SafeDirectories.prepare(config.stateDir(), config.metricsFile().getParent());
        } catch (SafeDirectories.UnsafeDirectory e) {
            System.err.println("token-metrics-receiver: " + e.getMessage());
            return EXIT_UNSAFE_DIRECTORY;
        } catch (IOException e) {
            System.err.println("token-metrics-receiver: cannot prepare its directories: " + e);
            return EXIT_FAILED;
        }
        Logger log;
        try {
            LogSetup.configure(config.stateDir().resolve("receiver.log"));
            log = Logger.getLogger(Main.class.getName());
        } catch (IOException e) {
            System.err.println("token-metrics-receiver: cannot write logs under " + config.stateDir() + ": " + e.getMessage());
            return EXIT_FAILED;
        }
        directoryNotes.forEach(note -> log.log(note.level(), note.message()));
        // A thread of the daemon that dies leaves a process that answers and does nothing, or hangs its exports:
        // exit instead, so that a supervisor (the systemd unit, launchd, the next shell) starts a whole one. Nothing
        // acknowledged is lost: it is in the journal. (Out of memory: the launcher's -XX:+ExitOnOutOfMemoryError.)
        Logger fatal = log;
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
            fatal.log(java.util.logging.Level.SEVERE, "fatal failure in thread " + thread.getName() + "; exiting",
                    failure);
            Runtime.getRuntime().halt(EXIT_FAILED);
        });
        if (!isLoopback(config.bindAddress())) {
            log.warning("WARNING: listening on " + config.bindAddress() + ", not loopback: anyone who can reach this"
                    + " address can read your usage figures and send fake ones. Use --bind 127.0.0.1 unless you"
                    + " know why not.");
        }
        SqliteLibrary.useCache(System.getenv()); // shared with the reports; not one more copy in /tmp per start
        Daemon daemon;
        try {
            daemon = Daemon.start(config, Clock.systemDefaultZone());
        } catch (DaemonLocks.MetricsFileInUse e) {
            log.severe("cannot start: " + e.getMessage());
            return EXIT_METRICS_FILE_TAKEN;
        } catch (DaemonLocks.StateDirInUse | BindException e) {
            String running = ourDaemonAt(config.bindAddress(), config.port());
            if (running != null) {
                System.err.println("token-metrics-receiver: already running on port " + config.port() + " (" + running + ")");
                return 0;
            }
            String reason = e instanceof BindException
                    ? portTaken(config.bindAddress(), config.port())
                    : e.getMessage() + " (on a port other than " + config.port() + ")";
            log.severe("cannot start: " + reason);
            return e instanceof BindException ? EXIT_PORT_TAKEN : EXIT_FAILED;
        } catch (IOException | RuntimeException e) {
            log.severe("cannot start: " + e);
            return EXIT_FAILED;
        }
        // TERM and INT are handled, not left to shutdown hooks, so that a requested stop exits 0 rather than 143.
        var stopRequested = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "shutdown")); // HUP and the like
        log.info("listening on " + config.bindAddress() + ":" + daemon.port() + ", metrics file " + config.metricsFile()
                + ", pid " + ProcessHandle.current().pid() + ", version " + Daemon.version());
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            daemon.close();
        } catch (RuntimeException | Error e) {
            log.severe("incomplete shutdown: " + e);
            return EXIT_FAILED;
        }
        return 0;
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Says what holds a port we could not bind. Not always a server: a client's outgoing connection takes its source
     * port from the ephemeral range (32768 and up on Linux, 49152 and up on macOS), so a port there can be taken
     * with nothing listening on it.
     */
    static String portTaken(String bindAddress, int port) {
        String where = "port " + port + " on " + bindAddress;
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(connectable(bindAddress), port), 1000);
            return where + " is in use by another program; choose another with --port or CLAUDE_TOKEN_METRICS_PORT";
        } catch (IOException nothingListens) {
            return where + " is taken, though nothing listens there: another socket holds it, e.g. an outgoing"
                    + " connection's source port; choose a port below 32768 with --port or CLAUDE_TOKEN_METRICS_PORT";
        }
    }

    private static String connectable(String bindAddress) {
        return bindAddress.equals("0.0.0.0") || bindAddress.equals("::") ? "127.0.0.1" : bindAddress;
    }

    /** Asks /health on the port; returns "pid N" when our daemon answers, null otherwise. */
    static String ourDaemonAt(String bindAddress, int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(connectable(bindAddress), port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
            if (!response.contains("\"service\":\"" + Health.SERVICE + "\"")) {
                return null;
            }
            int pid = response.indexOf("\"pid\":");
            if (pid < 0) {
                return "pid unknown";
            }
            int end = pid + 6;
            while (end < response.length() && Character.isDigit(response.charAt(end))) {
                end++;
            }
            return "pid " + response.substring(pid + 6, end);
        } catch (IOException e) {
            return null;
        }
    }
}
