package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/claude-statusline: the start-up cache is made once and used after; a missing or bad one costs only speed. */
class StatuslineLauncherTest {

    private static final String STDIN = "{\"session_id\":\"s\",\"model\":{\"display_name\":\"Opus 4.1\"},"
            + "\"cost\":{\"total_cost_usd\":0.25}}";
    private static final String LINE = "🤖 Opus 4.1 | 💰 $0.25 session\n";

    @TempDir
    Path home;

    private Path cacheDir() {
        return home.resolve(".cache/claude-token-metrics");
    }

    private final Map<String, String> env = new LinkedHashMap<>();

    private Shell.Result render() throws Exception {
        return Shell.run(Shell.require("bash"), home, env,
                "echo '" + STDIN + "' | " + Shell.SCRIPTS.resolve("claude-statusline"));
    }

    private Path cacheFile() throws Exception {
        try (var files = Files.list(cacheDir())) {
            return files.filter(f -> f.getFileName().toString().startsWith("statusline-jdk")).findFirst().orElseThrow();
        }
    }

    @Test
    void theFirstRenderPrintsTheLineAndRecordsTheCacheForTheNext() throws Exception {
        var first = render();
        assertEquals(LINE, first.out());
        assertEquals("", first.err());

        Path launch = cacheDir().resolve("statusline.launch");
        for (int i = 0; i < 300 && !Files.exists(launch); i++) {
            Thread.sleep(100); // recorded in the background
        }
        assertTrue(Files.exists(launch), "the launch file was written");
        for (int i = 0; i < 100 && Files.exists(cacheDir().resolve("statusline.lock")); i++) {
            Thread.sleep(100); // the recording releases its lock just after
        }
        String recorded = Files.readString(launch);
        assertTrue(recorded.contains("STATUSLINE_FLAGS=") && recorded.contains(cacheFile().toString()), recorded);

        var second = render();
        assertEquals(LINE, second.out());
        assertEquals("", second.err());
    }

    @Test
    void prepareRecordsTheCacheNowAndABrokenCacheFallsBackSilently() throws Exception {
        var prepared = Shell.run(Shell.require("bash"), home, env, Shell.SCRIPTS.resolve("claude-statusline") + " --prepare");
        assertEquals(0, prepared.exitCode(), prepared.both());
        Path cache = cacheFile();
        assertTrue(Files.size(cache) > 0);

        Files.write(cache, "not a cache".getBytes()); // as after a JDK update, or damage
        var rendered = render();
        assertEquals(LINE, rendered.out(), "the JVM rejects the cache and runs without it");
        assertEquals("", rendered.err(), "quietly: a warning on stdout would replace the status line");
    }

    /** The JDK running this test (17 under the default toolchain): a CDS archive before JDK 25, an AOT cache after. */
    @Test
    void aPinnedJdkGetsTheCacheKindItSupportsAndFallsBackSilentlyToo() throws Exception {
        Path jdk = Path.of(System.getProperty("java.home"));
        int major = Runtime.version().feature();
        env.put("CLAUDE_STATUSLINE_JDK", jdk.toString());

        prepareRecordsTheCacheNowAndABrokenCacheFallsBackSilently();

        String expected = "statusline-jdk" + major + (major >= 25 ? ".aot" : ".jsa");
        assertEquals(expected, cacheFile().getFileName().toString());
        String launch = Files.readString(cacheDir().resolve("statusline.launch"));
        assertTrue(launch.contains(jdk.resolve("bin/java").toString()), launch);
        assertTrue(launch.contains(major >= 25 ? "-XX:AOTCache=" : "-XX:SharedArchiveFile="), launch);
    }
}
