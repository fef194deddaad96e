package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: another local user must not read our files or redirect our writes. Files are created 0600 and never
 * through a link; a directory someone else could plant links in is refused before anything is written there.
 * Tests that need a second user act as {@code nobody}, which needs root; they skip, saying so, otherwise.
 */
class LocalUsersTest {

    private static final boolean ROOT = new UnixSystem().getUid() == 0;
    private static final String NOT_ROOT = "acting as a second user (nobody) needs root";

    @TempDir
    Path home;

    /** Runs a command as nobody and waits for it; fails the test if it fails. */
    private static void asNobody(String... command) throws Exception {
        Skip.unless(ROOT, NOT_ROOT);
        var full = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        full.addAll(List.of(command));
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0, full + ": " + output);
    }

    private static void chown(Path path, String owner) throws Exception {
        Skip.unless(ROOT, NOT_ROOT);
        Process process = new ProcessBuilder("chown", owner, path.toString()).inheritIO().start();
        assertEquals(0, process.waitFor());
    }

    private static Path directory(Path path, String mode) throws IOException {
        Files.createDirectories(path);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode)); // not narrowed by the umask
        return path;
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static void export(int port, String session) throws Exception {
        var usage = Otlp.usage(session, "m", Otlp.DELTA, Instant.now().minusSeconds(1), Instant.now(), 42, 0, 0, 0, 0.1);
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(usage.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
    }

    private static void awaitContent(Path file, String part) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.readString(file).contains(part))) {
            assertTrue(System.nanoTime() < deadline, file + " never held " + part);
            Thread.sleep(20);
        }
    }

    private static void stop(DaemonProcess daemon) throws Exception {
        daemon.process.destroy(); // SIGTERM: the final snapshot and metrics file are written on the way down
        assertEquals(0, daemon.awaitExit(), daemon.output());
    }

    @Test
    void linksPlantedAtTheNamesWeReplaceAreReplacedAndTheirTargetsStayUnchanged() throws Exception {
        Path stateDir = home.resolve(".claude/token-metrics");
        Files.createDirectories(stateDir);
        Path victim = Files.writeString(home.resolve("victim"), "precious");
        List<Path> planted = List.of(stateDir.resolve("receiver.pid"), stateDir.resolve(".receiver.pid.tmp"),
                stateDir.resolve(".state.bin.tmp"), home.resolve(".claude/token-metrics.json"),
                home.resolve(".claude/.token-metrics.json.tmp"), home.resolve(".claude/token-metrics.live.tsv"));
        for (Path link : planted) {
            Files.createSymbolicLink(link, victim);
        }
        int port = DaemonProcess.freePort();

        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        try {
            export(port, "s1");
            awaitContent(home.resolve(".claude/token-metrics.json"), "\"s1\"");
            stop(daemon);
        } finally {
            daemon.process.destroyForcibly(); // never leave a daemon behind a failed test
        }

        assertEquals("precious", Files.readString(victim));
        assertEquals("rw-------", mode(home.resolve(".claude/token-metrics.json")));
        assertEquals("rw-------", mode(home.resolve(".claude/token-metrics.live.tsv")), "the statusline's live file");
        assertEquals("rw-------", mode(stateDir.resolve("state.bin")));
    }

    @Test
    void aLinkAtAFileWeKeepOpenIsRefusedNeverFollowed() throws Exception {
        for (String name : List.of(".claude/token-metrics/receiver.log", ".claude/token-metrics/receiver.lock",
                ".claude/token-metrics.json.lock")) {
            Path ownHome = Files.createDirectory(home.resolve("home-" + name.replace('/', '-')));
            Files.createDirectories(ownHome.resolve(".claude/token-metrics"));
            Path victim = Files.writeString(ownHome.resolve("victim"), "precious");
            Path link = Files.createSymbolicLink(ownHome.resolve(name), victim);

            DaemonProcess daemon = DaemonProcess.start(ownHome, "--port", Integer.toString(DaemonProcess.freePort()));

            assertEquals(Main.EXIT_FAILED, daemon.awaitExit(), daemon.output());
            assertTrue(daemon.output().contains(link + " is a symbolic link; refusing to follow it"), daemon.output());
            assertEquals("precious", Files.readString(victim));
        }
    }

    @Test
    void asNobodyALinkPlantedInAStickySharedDirectoryDoesNotRedirectOurWrite() throws Exception {
        Skip.unless(ROOT, NOT_ROOT);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody may pass
        Path shared = Files.createDirectory(home.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777); // like /tmp: anyone creates, only owners remove
        Path victim = Files.writeString(home.resolve("victim"), "precious");
        asNobody("ln", "-s", victim.toString(), shared.resolve(".metrics.json.tmp").toString());
        asNobody("ln", "-s", victim.toString(), shared.resolve("metrics.json").toString());
        int port = DaemonProcess.freePort();

        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port),
                "--metrics-file", shared.resolve("metrics.json").toString()).awaitHealthy(port);
        try {
            export(port, "s1");
            awaitContent(shared.resolve("metrics.json"), "\"s1\"");
            stop(daemon);
        } finally {
            daemon.process.destroyForcibly();
        }

        assertEquals("precious", Files.readString(victim));
        assertEquals("rw-------", mode(shared.resolve("metrics.json")));
    }

    @Test
    void aStateDirectoryOfAnotherUserIsRefusedBeforeAnythingIsWrittenInIt() throws Exception {
        Path stateDir = directory(home.resolve("state"), "rwxrwxrwx");
        chown(stateDir, "nobody");

        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(DaemonProcess.freePort()),
                "--state-dir", stateDir.toString());

        assertEquals(Main.EXIT_UNSAFE_DIRECTORY, daemon.awaitExit(), daemon.output());
        assertEquals("token-metrics-receiver: refusing the state directory " + stateDir + " (owner nobody, mode 0777):"
                + " it belongs to another user, who could plant links in it; choose another with --state-dir, or run:"
                + " sudo chown root " + stateDir + " && chmod 700 " + stateDir + "\n", daemon.output());
        assertEquals(List.of(), names(stateDir));
    }

    @Test
    void aMetricsFileDirectoryOfAnotherUserIsRefused() throws Exception {
        Path shared = directory(home.resolve("shared"), "rwxr-xr-x");
        chown(shared, "nobody");

        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(DaemonProcess.freePort()),
                "--metrics-file", shared.resolve("metrics.json").toString());

        assertEquals(Main.EXIT_UNSAFE_DIRECTORY, daemon.awaitExit(), daemon.output());
        assertTrue(daemon.output().startsWith("token-metrics-receiver: refusing the metrics file's directory " + shared
                + " (owner nobody, mode 0755): it belongs to another user"), daemon.output());
        assertEquals(List.of(), names(shared));
    }

    @Test
    void aDirectoryEveryoneCanWriteInIsRefusedEvenWhenItIsOurs() throws Exception {
        Path stateDir = directory(home.resolve("state"), "rwxrwxrwx");

        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(DaemonProcess.freePort()),
                "--state-dir", stateDir.toString());

        assertEquals(Main.EXIT_UNSAFE_DIRECTORY, daemon.awaitExit(), daemon.output());
        assertTrue(daemon.output().contains("refusing the state directory " + stateDir + " (owner "), daemon.output());
        assertTrue(daemon.output().contains(", mode 0777): every user can write in it and could plant links there;"
                + " choose another with --state-dir, or check what is in it and run: chmod 700 " + stateDir + "\n"),
                daemon.output());
        assertEquals(List.of(), names(stateDir));
    }

    @Test
    void anOpenStateDirectoryIsNarrowedTo0700AndAGroupWritableMetricsDirectoryIsAWarningNotARefusal() throws Exception {
        Path stateDir = directory(home.resolve(".claude/token-metrics"), "rwxr-xr-x");
        Files.setPosixFilePermissions(home.resolve(".claude"), PosixFilePermissions.fromString("rwxrwxr-x"));
        int port = DaemonProcess.freePort();

        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        stop(daemon);

        assertEquals("rwx------", mode(stateDir));
        assertEquals("rwxrwxr-x", mode(home.resolve(".claude")), "not ours to narrow: others may share it by design");
        String log = Files.readString(stateDir.resolve("receiver.log"));
        assertTrue(log.contains("INFO state directory " + stateDir + " (owner "), log);
        assertTrue(log.contains(", mode 0755) was open to other users; set it to 0700"), log);
        assertTrue(log.contains("WARNING metrics file's directory " + home.resolve(".claude") + " (owner "), log);
        assertTrue(log.contains(", mode 0775) is writable by its group, whose members could plant links in it"), log);
        assertFalse(daemon.output().contains("refusing"), daemon.output());
    }
}
