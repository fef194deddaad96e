package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/token-metrics-receiver: the start-up archive (AppCDS, docs/PERFORMANCE.md) is recorded by a daemon as it
 * stops and mapped by the next one; a recording that is damaged or of fewer classes is dropped, never taken; a JVM
 * that cannot record still starts the daemon. Reads /proc for what a process runs with and maps.
 */
class ReceiverLauncherTest {

    private static final int DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;

    @TempDir
    Path home;
    private int port;

    @BeforeEach
    void linux() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "reads /proc/<pid>/maps and cmdline");
        port = Shell.freePort();
    }

    @AfterEach
    void stopAnyReceiver() throws Exception {
        if (health() != null) {
            script("stop-token-proxy.sh", Map.of());
        }
    }

    @Test
    void aDaemonRecordsTheArchiveAsItStopsAndTheNextStartMapsIt() throws Exception {
        long recorder = start(Map.of());
        assertTrue(commandLine(recorder).contains("-XX:ArchiveClassesAtExit=" + cacheDir()), commandLine(recorder));
        assertEquals(List.of(), archives(), "nothing is written before the daemon exits");

        stop();
        List<Path> recorded = archives();
        assertEquals(1, recorded.size(), recorded.toString());
        assertTrue(recorded.get(0).getFileName().toString().matches("receiver-jdk.+\\.jsa\\." + recorder), recorded.toString());
        assertEquals(DYNAMIC_ARCHIVE_MAGIC, magic(recorded.get(0)), "a whole archive");

        long user = start(Map.of());
        Path archive = cacheDir().resolve(recorded.get(0).getFileName().toString().replaceFirst("\\.\\d+$", ""));
        assertEquals(List.of(archive), archives(), "the recording taken under its final name");
        assertTrue(Files.readString(Path.of("/proc/" + user + "/maps")).contains(archive.toString()),
                "the JVM maps it");
        stop();
        assertEquals(List.of(archive), archives(), "a daemon that used the archive records none");
        String log = Files.readString(home.resolve(".claude/token-metrics/receiver.err"));
        assertFalse(log.contains("cds") || log.contains("warning"), "CDS says nothing in the daemon's output: " + log);
    }

    @Test
    void aRecordingThatIsDamagedOrOfFewerClassesIsDroppedNotTaken() throws Exception {
        start(Map.of());
        stop();
        start(Map.of());
        stop();
        Path archive = archives().get(0);
        long size = Files.size(archive);
        var modified = Files.getLastModifiedTime(archive);

        // a whole archive of fewer classes (what the JVM records for -version), and a bigger file that is not one,
        // both left by processes that are gone (pids above Linux's maximum)
        Path fewer = Path.of(archive + ".4194305");
        Process java = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:ArchiveClassesAtExit=" + fewer, "-Xlog:cds*=off", "-version").redirectErrorStream(true).start();
        java.getInputStream().readAllBytes();
        assertEquals(0, java.waitFor());
        assertEquals(DYNAMIC_ARCHIVE_MAGIC, magic(fewer));
        assertTrue(Files.size(fewer) < size, Files.size(fewer) + " < " + size);
        Path damaged = Path.of(archive + ".4194306");
        try (var file = new RandomAccessFile(damaged.toFile(), "rw")) {
            file.setLength(size + 1);
        }

        long user = start(Map.of());
        assertEquals(List.of(archive), archives(), "both dropped");
        assertEquals(size, Files.size(archive));
        assertEquals(modified, Files.getLastModifiedTime(archive));
        assertTrue(Files.readString(Path.of("/proc/" + user + "/maps")).contains(archive.toString()));
    }

    @Test
    void aJvmThatCannotRecordStillStartsTheDaemon() throws Exception {
        // without its own base archive a JVM refuses to start with -XX:ArchiveClassesAtExit
        long pid = start(Map.of("JAVA_TOOL_OPTIONS", "-Xshare:off"));
        assertFalse(commandLine(pid).contains("ArchiveClassesAtExit"), commandLine(pid));
        stop();
        assertEquals(List.of(), archives());
    }

    private long start(Map<String, String> env) throws Exception {
        var start = script("start-token-proxy.sh", env);
        assertEquals(0, start.exitCode(), start.both());
        Matcher pid = Pattern.compile("\"pid\":(\\d+)").matcher(health());
        assertTrue(pid.find());
        return Long.parseLong(pid.group(1));
    }

    private void stop() throws Exception {
        var stop = script("stop-token-proxy.sh", Map.of());
        assertEquals(0, stop.exitCode(), stop.both());
    }

    private Shell.Result script(String name, Map<String, String> env) throws Exception {
        var all = new java.util.HashMap<>(env);
        all.put("CLAUDE_TOKEN_METRICS_PORT", Integer.toString(port));
        return Shell.run(Shell.require("bash"), home, all, Shell.SCRIPTS.resolve(name).toString());
    }

    private String health() {
        return Shell.health(port);
    }

    private Path cacheDir() {
        return home.resolve(".cache/claude-token-metrics"); // Shell.run sets XDG_CACHE_HOME there
    }

    private List<Path> archives() throws Exception {
        if (!Files.isDirectory(cacheDir())) {
            return List.of();
        }
        try (var files = Files.list(cacheDir())) {
            return files.filter(f -> f.getFileName().toString().startsWith("receiver-")).sorted().toList();
        }
    }

    private static String commandLine(long pid) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    }

    private static int magic(Path file) throws Exception {
        byte[] bytes = new byte[4];
        try (var in = Files.newInputStream(file)) {
            assertEquals(4, in.readNBytes(bytes, 0, 4));
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt();
    }
}
