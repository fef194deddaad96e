package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up, single instance and shutdown of the real daemon process. */
class ProcessBehaviourTest {

    @TempDir
    Path home;

    @Test
    void sigtermFlushesAndExitsZeroWithinTwoSeconds() throws Exception {
        int port = DaemonProcess.freePort();
        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        Path pidFile = home.resolve(".claude/token-metrics/receiver.pid");
        assertEquals(Long.toString(daemon.process.pid()), Files.readString(pidFile).trim());
        var export = Otlp.usage("s1", "m", Otlp.DELTA, Instant.now().minusSeconds(1), Instant.now(), 42, 0, 0, 0, 0.1);
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(export.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());

        long stopping = System.nanoTime();
        daemon.process.destroy(); // SIGTERM
        assertTrue(daemon.process.waitFor(2, TimeUnit.SECONDS), "exited within 2 s");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);

        assertEquals(0, daemon.process.exitValue(), daemon.output());
        assertTrue(Files.readString(home.resolve(".claude/token-metrics.json")).contains("\"input\" : 42"));
        assertFalse(Files.exists(pidFile), "pid file removed");
        assertTrue(Files.readString(home.resolve(".claude/token-metrics/receiver.log")).contains("stopped"));
        System.out.println("SIGTERM to exit: " + tookMillis + " ms");
    }

    /**
     * An upgrade that rewrites the jar under a running daemon leaves it unable to load the classes its shutdown
     * needs. It must still exit, not hang on its server threads.
     */
    @Test
    void sigtermStillEndsTheProcessWhenItsClassesAreGoneFromUnderIt() throws Exception {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path copy = home.resolve("classes");
        try (var files = Files.walk(classes)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(classes.relativize(file).toString()));
            }
        }
        String classPath = System.getProperty("java.class.path").replace(classes.toString(), copy.toString());
        int port = DaemonProcess.freePort();
        DaemonProcess daemon = DaemonProcess.startWithClassPath(classPath, home, "--port", Integer.toString(port))
                .awaitHealthy(port);
        try (var files = Files.walk(copy)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }

        try {
            daemon.process.destroy(); // SIGTERM
            assertTrue(daemon.process.waitFor(5, TimeUnit.SECONDS), "exited: " + daemon.output());
        } finally {
            daemon.process.destroyForcibly(); // never leave a hung daemon behind a failed test
        }
    }

    @Test
    void aSecondDaemonOnTheSamePortSaysSoAndExitsZero() throws Exception {
        int port = DaemonProcess.freePort();
        DaemonProcess first = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        try {
            DaemonProcess sameHome = DaemonProcess.start(home, "--port", Integer.toString(port));
            assertEquals(0, sameHome.awaitExit());
            assertTrue(sameHome.output().contains("already running on port " + port + " (pid " + first.process.pid() + ")"),
                    sameHome.output());

            Path otherHome = Files.createDirectory(home.resolve("other"));
            DaemonProcess otherState = DaemonProcess.start(otherHome, "--port", Integer.toString(port));
            assertEquals(0, otherState.awaitExit());
            assertTrue(otherState.output().contains("already running"), otherState.output());
            assertTrue(first.process.isAlive());
        } finally {
            first.process.destroy();
            first.awaitExit();
        }
    }

    /** Issue 11: two daemons writing one metrics file interleaved their versions (14 of 739 reads invalid). */
    @Test
    void aSecondDaemonForTheSameMetricsFileIsRefusedNamingTheFirst() throws Exception {
        Path metricsFile = home.resolve("shared-metrics.json");
        Path firstHome = Files.createDirectory(home.resolve("first"));
        Path secondHome = Files.createDirectory(home.resolve("second"));
        int firstPort = DaemonProcess.freePort();
        int secondPort = DaemonProcess.freePort();
        DaemonProcess first = DaemonProcess.start(firstHome, "--port", Integer.toString(firstPort),
                "--metrics-file", metricsFile.toString()).awaitHealthy(firstPort);
        try {
            DaemonProcess second = DaemonProcess.start(secondHome, "--port", Integer.toString(secondPort),
                    "--metrics-file", metricsFile.toString());

            assertEquals(Main.EXIT_METRICS_FILE_TAKEN, second.awaitExit(), second.output());
            assertTrue(second.output().contains("cannot start: " + metricsFile + " is already written by the receiver"
                    + " with pid " + first.process.pid() + " (state dir " + firstHome.resolve(".claude/token-metrics")
                    + "); use --metrics-file to choose another"), second.output());
            assertTrue(first.process.isAlive());
        } finally {
            first.process.destroy();
            assertEquals(0, first.awaitExit(), first.output());
        }

        DaemonProcess second = DaemonProcess.start(secondHome, "--port", Integer.toString(secondPort),
                "--metrics-file", metricsFile.toString()).awaitHealthy(secondPort); // the claim ended with its holder
        second.process.destroy();
        assertEquals(0, second.awaitExit(), second.output());
    }

    @Test
    void aPortHeldByAnotherProgramIsAClearFailure() throws Exception {
        try (var foreign = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = foreign.getLocalPort();
            DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port));
            assertEquals(Main.EXIT_PORT_TAKEN, daemon.awaitExit());
            assertTrue(daemon.output().contains("port " + port + " on 127.0.0.1 is in use by another program;"
                    + " choose another with --port or CLAUDE_TOKEN_METRICS_PORT"), daemon.output());
        }
    }

    @Test
    void aPortHeldOnlyAsAnOutgoingConnectionsSourcePortIsToldApartFromAListener() throws Exception {
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             var client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             var accepted = server.accept()) {
            int port = client.getLocalPort(); // an ephemeral source port: taken, but nothing listens on it
            DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port));
            assertEquals(Main.EXIT_PORT_TAKEN, daemon.awaitExit());
            assertTrue(daemon.output().contains("port " + port + " on 127.0.0.1 is taken, though nothing listens"
                    + " there: another socket holds it, e.g. an outgoing connection's source port; choose a port"
                    + " below 32768"), daemon.output());
            assertFalse(daemon.output().contains("in use by another program"), daemon.output());
            assertEquals(1, daemon.output().lines().filter(line -> line.contains("cannot start")).count(),
                    "one line: " + daemon.output());
        }
    }

    @Test
    void badArgumentsExplainThemselves() throws Exception {
        DaemonProcess daemon = DaemonProcess.start(home, "--port", "http");
        assertEquals(Main.EXIT_USAGE, daemon.awaitExit());
        assertTrue(daemon.output().contains("--port must be a port number from 0 to 65535, got 'http'"), daemon.output());
        assertTrue(daemon.output().contains("usage: token-metrics-receiver"), daemon.output());
    }
}
