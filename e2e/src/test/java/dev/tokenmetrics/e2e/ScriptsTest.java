package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shell integration, in real bash and zsh: what a user's profile and commands do. */
class ScriptsTest {

    private static final String CONFIG = Shell.SCRIPTS.resolve("claude-token-config.sh").toString();
    private static final String VARS = "CLAUDE_CODE_ENABLE_TELEMETRY OTEL_METRICS_EXPORTER OTEL_LOGS_EXPORTER "
            + "OTEL_EXPORTER_OTLP_PROTOCOL OTEL_EXPORTER_OTLP_ENDPOINT OTEL_METRIC_EXPORT_INTERVAL OTEL_LOGS_EXPORT_INTERVAL "
            + "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";

    @TempDir
    Path home;
    private int port;

    private Map<String, String> env(String... pairs) throws Exception {
        if (port == 0) {
            port = Shell.freePort();
        }
        var env = new java.util.HashMap<String, String>();
        env.put("CLAUDE_TOKEN_METRICS_PORT", Integer.toString(port));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private String health() {
        return Shell.health(port);
    }

    private String awaitHealth() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            String health = health();
            if (health != null) {
                return health;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the receiver never answered on port " + port);
    }

    @AfterEach
    void stopAnyReceiver() throws Exception {
        if (port != 0 && health() != null) {
            Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("stop-token-proxy.sh").toString());
        }
    }

    /** Prints each variable as NAME=value, or NAME unset. */
    private static String printVars() {
        return "for v in " + VARS + " CLAUDE_TOKEN_TRACKING; do if [ -n \"$(eval echo \\${$v+x})\" ]; then "
                + "eval echo \"$v=\\$$v\"; else echo \"$v unset\"; fi; done";
    }

    @Test
    void theLauncherExportsEverySecondUnlessTheIntervalIsOverridden() throws Exception {
        Path claude = home.resolve("fake-claude");
        Files.writeString(claude, "#!/bin/sh\n" + printVars() + "\n");
        assertTrue(claude.toFile().setExecutable(true));
        String launch = Shell.SCRIPTS.resolve("launch-claude-with-metrics.sh").toString();

        var byDefault = Shell.run(Shell.require("bash"), home, env("CLAUDE_CODE_BIN", claude.toString()), launch);
        assertEquals(0, byDefault.exitCode(), byDefault.both());
        assertTrue(byDefault.out().contains("OTEL_METRIC_EXPORT_INTERVAL=1000"), byDefault.out());
        assertTrue(byDefault.out().contains("OTEL_LOGS_EXPORT_INTERVAL=1000"), byDefault.out());

        var overridden = Shell.run(Shell.require("bash"), home, env("CLAUDE_CODE_BIN", claude.toString(),
                "CLAUDE_TOKEN_METRICS_INTERVAL", "5000"), launch);
        assertEquals(0, overridden.exitCode(), overridden.both());
        assertTrue(overridden.out().contains("OTEL_METRIC_EXPORT_INTERVAL=5000"), overridden.out());
        assertTrue(overridden.out().contains("OTEL_LOGS_EXPORT_INTERVAL=5000"), overridden.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash", "zsh"})
    void trackingOnExportsTheTelemetryVariablesAndStartsTheReceiver(String shell) throws Exception {
        var result = Shell.run(Shell.require(shell), home, env("CLAUDE_TOKEN_TRACKING", "1"), ". " + CONFIG + "; " + printVars());

        assertEquals(0, result.exitCode(), result.both());
        assertEquals("", result.err(), "silent");
        String out = result.out();
        assertTrue(out.contains("CLAUDE_CODE_ENABLE_TELEMETRY=1"), out);
        assertTrue(out.contains("OTEL_METRICS_EXPORTER=otlp"), out);
        assertTrue(out.contains("OTEL_LOGS_EXPORTER=otlp"), out);
        assertTrue(out.contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"), out);
        assertTrue(out.contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:" + port), out);
        assertTrue(out.contains("OTEL_METRIC_EXPORT_INTERVAL=1000"), out);
        assertTrue(out.contains("OTEL_LOGS_EXPORT_INTERVAL=1000"), out);
        assertTrue(out.contains("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative"), out);
        assertTrue(awaitHealth().contains("\"service\":\"claude-token-metrics-receiver\""), "started in the background");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash", "zsh"})
    void trackingOffUnsetsEverythingItWouldSetAndStartsNothing(String shell) throws Exception {
        var preset = new StringBuilder();
        for (String var : VARS.split(" ")) {
            preset.append("export ").append(var).append("=leftover; ");
        }
        var result = Shell.run(Shell.require(shell), home, env("CLAUDE_TOKEN_TRACKING", "0"),
                preset + ". " + CONFIG + "; " + printVars());

        assertEquals(0, result.exitCode(), result.both());
        for (String var : VARS.split(" ")) {
            assertTrue(result.out().contains(var + " unset"), result.out());
        }
        // A background start is forked before the sourcing shell exits, and would run with this HOME: none does.
        assertEquals(List.of(), processesWithThisHome(), "nothing was started");
        assertEquals(null, health(), "nothing answers");
    }

    /** The processes running with this test's HOME, by pid and command line (read from /proc). */
    private List<String> processesWithThisHome() throws IOException {
        byte[] marker = ("HOME=" + home + "\0").getBytes(StandardCharsets.UTF_8);
        var found = new java.util.ArrayList<String>();
        try (var processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    byte[] environment = Files.readAllBytes(process.resolve("environ"));
                    if (indexOf(environment, marker) >= 0) {
                        found.add(process.getFileName() + " " + Files.readString(process.resolve("cmdline"))
                                .replace('\0', ' '));
                    }
                } catch (IOException gone) {
                    // exited meanwhile, or not ours to read
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash", "zsh"})
    void theToggleFlipsTrackingInTheCurrentShell(String shell) throws Exception {
        var result = Shell.run(Shell.require(shell), home, env(), ". " + CONFIG + "; claude-token-tracking off; "
                + printVars() + "; claude-token-tracking on; echo \"endpoint=$OTEL_EXPORTER_OTLP_ENDPOINT\"");

        assertEquals(0, result.exitCode(), result.both());
        assertTrue(result.out().contains("token tracking: off"), result.out());
        assertTrue(result.out().contains("OTEL_EXPORTER_OTLP_ENDPOINT unset"), result.out());
        assertTrue(result.out().contains("CLAUDE_TOKEN_TRACKING=0"), result.out());
        assertTrue(result.out().contains("endpoint=http://127.0.0.1:" + port), result.out());
        awaitHealth(); // 'on' started the receiver in the background; wait for it, so that it is stopped after
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash", "zsh"})
    void anotherCollectorIsLeftAsTheUserSetIt(String shell) throws Exception {
        var result = Shell.run(Shell.require(shell), home, env("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example:4318"),
                ". " + CONFIG + "; " + printVars());

        assertEquals(0, result.exitCode(), result.both());
        assertTrue(result.err().contains("OTLP already goes to https://collector.example:4318; leaving your telemetry as it is"),
                result.err());
        assertTrue(result.out().contains("OTEL_EXPORTER_OTLP_ENDPOINT=https://collector.example:4318"), result.out());
        assertTrue(result.out().contains("OTEL_METRICS_EXPORTER unset"), result.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash", "zsh"})
    void aBrokenSettingIsRefusedWithOneLine(String shell) throws Exception {
        var badPort = Shell.run(Shell.require(shell), home, env("CLAUDE_TOKEN_METRICS_PORT", "43l8"), ". " + CONFIG + "; " + printVars());
        assertEquals("claude-token-metrics: CLAUDE_TOKEN_METRICS_PORT must be a number, got '43l8'; telemetry left as it was\n",
                badPort.err());
        assertTrue(badPort.out().contains("OTEL_EXPORTER_OTLP_ENDPOINT unset"), badPort.out());

        var badInterval = Shell.run(Shell.require(shell), home, env("CLAUDE_TOKEN_METRICS_INTERVAL", "5s"), ". " + CONFIG);
        assertEquals(1, badInterval.err().lines().count(), badInterval.err());
        assertTrue(badInterval.err().contains("CLAUDE_TOKEN_METRICS_INTERVAL must be milliseconds"), badInterval.err());
    }

    @Test
    void sourcingAddsLittleToShellStartUp() throws Exception {
        String bash = Shell.require("bash");
        Shell.run(bash, home, env(), Shell.SCRIPTS.resolve("start-token-proxy.sh").toString());
        awaitHealth();
        // Median of 15 timed starts of each, in one shell so that process start-up is not what is measured.
        String timing = "t() { local s e; s=$(date +%s%N); bash -c \"$1\"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }; "
                + "for i in $(seq 15); do echo \"plain $(t ':')\"; echo \"sourced $(t '. " + CONFIG + "')\"; done";
        var result = Shell.run(bash, home, env(), timing);
        long plain = median(result.out(), "plain");
        long sourced = median(result.out(), "sourced");
        System.out.println("shell start-up: plain " + plain + " ms, with claude-token-config.sh " + sourced + " ms");
        assertTrue(sourced - plain < 50, "sourcing added " + (sourced - plain) + " ms");
    }

    private static long median(String out, String label) {
        long[] values = out.lines().filter(l -> l.startsWith(label + " ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .sorted().toArray();
        return values[values.length / 2];
    }

    @Test
    void startAndStopAreIdempotent() throws Exception {
        String bash = Shell.require("bash");
        String start = Shell.SCRIPTS.resolve("start-token-proxy.sh").toString();
        String stop = Shell.SCRIPTS.resolve("stop-token-proxy.sh").toString();

        var first = Shell.run(bash, home, env(), start);
        var second = Shell.run(bash, home, env(), start);
        assertEquals(0, first.exitCode(), first.both());
        assertTrue(first.out().startsWith("token-metrics receiver started on port " + port), first.out());
        assertEquals(0, second.exitCode(), second.both());
        assertTrue(second.out().startsWith("token-metrics receiver already running on port " + port), second.out());
        assertTrue(Files.exists(home.resolve(".claude/token-metrics/receiver.pid")));

        var stopped = Shell.run(bash, home, env(), stop);
        var again = Shell.run(bash, home, env(), stop);
        assertEquals(0, stopped.exitCode(), stopped.both());
        assertTrue(stopped.out().startsWith("token-metrics receiver stopped"), stopped.out());
        assertEquals(0, again.exitCode(), again.both());
        assertTrue(again.out().contains("not running"), again.out());
        assertEquals(null, health());
    }

    @Test
    void theReceiverTheScriptsStartReportsTheVersionItWasBuiltAs() throws Exception {
        String version = System.getProperty("tokenmetrics.version");
        assertNotNull(version, "e2e/pom.xml passes the project's version");

        var start = Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("start-token-proxy.sh").toString());

        assertEquals(0, start.exitCode(), start.both());
        String health = awaitHealth();
        assertTrue(health.contains("\"version\":\"" + version + "\""), "the jar's manifest names it: " + health);
    }

    @Test
    void aReceiverThatCannotStartIsReportedWithTheLinesOfItsLog() throws Exception {
        Files.createDirectories(home.resolve(".claude/token-metrics/receiver.lock")); // a directory: it cannot lock it

        var start = Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("start-token-proxy.sh").toString());

        assertEquals(1, start.exitCode(), start.both());
        assertTrue(start.err().contains("the receiver did not come up on port " + port + "; its log says:\n"), start.err());
        assertTrue(start.err().contains("cannot start: ") && start.err().contains("receiver.lock"),
                "the log's lines follow: " + start.err());
    }

    @Test
    void aStateDirectoryThatIsAFileIsNamedInOneLine() throws Exception {
        Files.createDirectories(home.resolve(".claude"));
        Files.writeString(home.resolve(".claude/token-metrics"), "not a directory");

        var start = Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("start-token-proxy.sh").toString());

        assertEquals(1, start.exitCode(), start.both());
        assertEquals("start-token-proxy: cannot write the receiver's state directory " + home.resolve(".claude/token-metrics")
                + " (is it a file, or not yours?)\n", start.err());
    }

    @Test
    void stopRefusesAForeignProcessOnThePort() throws Exception {
        try (var foreign = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = foreign.getLocalPort();
            var stop = Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("stop-token-proxy.sh").toString());
            var start = Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("start-token-proxy.sh").toString());

            assertEquals(1, stop.exitCode(), stop.both());
            assertTrue(stop.err().contains("held by another program, not our receiver; leaving it alone"), stop.err());
            assertEquals(1, start.exitCode(), start.both());
            assertTrue(start.err().contains("port " + port + " is in use by another program"), start.err());
            assertFalse(foreign.isClosed());
        } finally {
            port = 0;
        }
    }

    @Test
    void stopRefusesOurReceiverWhenThePidFileNamesAnotherProcess() throws Exception {
        String bash = Shell.require("bash");
        Shell.run(bash, home, env(), Shell.SCRIPTS.resolve("start-token-proxy.sh").toString());
        awaitHealth();
        Path pidFile = home.resolve(".claude/token-metrics/receiver.pid");
        String pid = Files.readString(pidFile);
        Files.writeString(pidFile, "1\n"); // someone else's pid

        var stop = Shell.run(bash, home, env(), Shell.SCRIPTS.resolve("stop-token-proxy.sh").toString());
        assertEquals(1, stop.exitCode());
        assertTrue(stop.err().contains("is not the one in"), stop.err());
        Files.writeString(pidFile, pid);
    }

    // The installer: empty HOME, existing settings, twice, uninstall.

    private Shell.Result install(String... args) throws Exception {
        return Shell.run(Shell.require("bash"), home, env("CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1"),
                Shell.SCRIPTS.resolve("install.sh") + " " + String.join(" ", args));
    }

    @Test
    void theInstallerSetsUpAnEmptyHomeAndUninstallRemovesWhatItAdded() throws Exception {
        var result = install();

        assertEquals(0, result.exitCode(), result.both());
        Path share = home.resolve(".local/share/claude-token-metrics");
        for (String command : new String[] {"token-metrics-receiver", "claude-statusline", "claude-token-metrics",
                "start-token-proxy.sh", "stop-token-proxy.sh", "launch-claude-with-metrics.sh",
                "claude-token-safe-test.sh"}) {
            Path link = home.resolve(".local/bin/" + command);
            assertTrue(Files.isSymbolicLink(link), command);
            assertEquals(share.resolve("bin/" + command), Files.readSymbolicLink(link));
        }
        assertTrue(Files.exists(home.resolve(".cache/claude-token-metrics/statusline.launch")), "start-up cache recorded");
        String settings = Files.readString(home.resolve(".claude/settings.json"));
        assertTrue(settings.contains("\"command\" : \"" + share.resolve("bin/claude-statusline") + "\""), settings);

        var line = Shell.run(Shell.require("bash"), home, env(), "echo '{\"model\":{\"display_name\":\"Opus 4.1\"},"
                + "\"cost\":{\"total_cost_usd\":1.5}}' | " + home.resolve(".local/bin/claude-statusline"));
        assertEquals("🤖 Opus 4.1 | 💰 $1.50 session\n", line.out(), "the installed statusline runs through its link");
        var report = Shell.run(Shell.require("bash"), home, env(), home.resolve(".local/bin/claude-token-metrics")
                + " daily");
        assertEquals(3, report.exitCode(), "the installed report command runs through its link: " + report.both());
        assertTrue(report.err().startsWith("claude-token-metrics: no usage ledger at "), report.err());

        var uninstall = install("--uninstall");
        assertEquals(0, uninstall.exitCode(), uninstall.both());
        assertFalse(Files.exists(share));
        assertFalse(Files.exists(home.resolve(".local/bin/claude-statusline")));
        assertFalse(Files.exists(home.resolve(".claude/settings.json")), "it did not exist before");
        assertFalse(Files.exists(home.resolve(".cache/claude-token-metrics")));
    }

    @Test
    void theInstallerSaysWhatIsLeftToDoOnlyWhenItIsAndUninstallSaysTheTruth() throws Exception {
        String bash = Shell.require("bash");
        String script = Shell.SCRIPTS.resolve("install.sh").toString();
        String pathWithout = System.getenv("PATH");
        String pathWith = home.resolve(".local/bin") + ":" + pathWithout;

        var first = Shell.run(bash, home, env("CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1", "SHELL", "/bin/bash",
                "PATH", pathWithout), script);
        assertEquals(0, first.exitCode(), first.both());
        assertTrue(first.out().contains("~/.local/bin is not on your PATH, so its commands are not found; add this line "
                + "to ~/.bashrc:\n  export PATH=\"$HOME/.local/bin:$PATH\"\n"), first.out());
        assertTrue(first.out().contains("(a new file: there was none)"), first.out());
        assertFalse(Files.exists(home.resolve(".claude/settings.json.claude-token-metrics.bak")), "nothing to back up");
        String marker = "add this line to ~/.bashrc:\n  ";
        int at = first.out().lastIndexOf(marker);
        assertTrue(at >= 0, first.out());
        String line = first.out().substring(at + marker.length()).lines().findFirst().orElseThrow();
        assertTrue(line.contains("claude-token-config.sh"), line);
        Files.writeString(home.resolve(".bashrc"), line + "\n");

        var again = Shell.run(bash, home, env("CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1", "SHELL", "/bin/bash",
                "PATH", pathWith), script);
        assertEquals(0, again.exitCode(), again.both());
        assertFalse(again.out().contains("not on your PATH"), again.out());
        assertFalse(again.out().contains("add this line"), again.out());
        assertTrue(again.out().contains("~/.bashrc already loads claude-token-config.sh"), again.out());

        var uninstall = Shell.run(bash, home, env("SHELL", "/bin/bash"), script + " --uninstall");
        assertEquals(0, uninstall.exitCode(), uninstall.both());
        assertTrue(uninstall.out().contains("settings.json removed: it did not exist before installing"), uninstall.out());
        assertFalse(uninstall.out().contains("restored"), uninstall.out());
        assertTrue(uninstall.out().contains("Remove from ~/.bashrc the line that loads claude-token-config.sh:\n  line 1: "
                + line + "\n"), uninstall.out());
        assertFalse(Files.exists(home.resolve(".claude/settings.json")));

        for (String shell : new String[] {"bash", "zsh"}) {
            var newShell = Shell.run(Shell.require(shell), home, env(), ". \"$HOME/.bashrc\"; echo \"status $?\"");
            assertEquals("", newShell.err(), shell + ": the profile line is harmless once uninstalled");
            assertEquals("status 0\n", newShell.out(), shell);
        }
    }

    @Test
    void theInstallerKeepsExistingSettingsRunsTwiceAndUninstallRestoresThemByteForByte() throws Exception {
        Path settings = home.resolve(".claude/settings.json");
        Files.createDirectories(settings.getParent());
        byte[] original = "{\n  \"model\": \"opus\",\n  \"permissions\": {\"allow\": [\"Bash(git status)\"]}\n}\n"
                .getBytes(StandardCharsets.UTF_8);
        Files.write(settings, original);

        assertEquals(0, install().exitCode());
        Path jar = home.resolve(".local/share/claude-token-metrics/lib/token-metrics-receiver.jar");
        Object firstInode = Files.getAttribute(jar, "unix:ino");
        var twice = install();
        assertNotEquals(firstInode, Files.getAttribute(jar, "unix:ino"),
                "jars are replaced by rename, never rewritten under a running receiver");
        assertEquals(0, twice.exitCode(), twice.both());
        assertTrue(twice.out().contains("already installed"), twice.out());
        String installed = Files.readString(settings);
        assertTrue(installed.contains("\"model\" : \"opus\""), installed);
        assertTrue(installed.contains("Bash(git status)"), installed);
        assertTrue(installed.contains("claude-statusline"), installed);
        assertArrayEquals(original, Files.readAllBytes(home.resolve(".claude/settings.json.claude-token-metrics.bak")));

        assertEquals(0, install("--uninstall").exitCode());
        assertArrayEquals(original, Files.readAllBytes(settings));
    }

    @Test
    void theInstallerKeepsAnotherStatusLineUnlessForced() throws Exception {
        Path settings = home.resolve(".claude/settings.json");
        Files.createDirectories(settings.getParent());
        String theirs = "{\"statusLine\":{\"type\":\"command\",\"command\":\"~/bin/my-line\"}}";
        Files.writeString(settings, theirs);

        var kept = install();
        assertEquals(3, kept.exitCode(), kept.both());
        assertTrue(kept.err().contains("already has a statusLine (~/bin/my-line); not replacing it"), kept.err());
        assertTrue(kept.err().contains("--force"), kept.err());
        assertEquals(theirs, Files.readString(settings));

        assertEquals(0, install("--force").exitCode());
        assertNotEquals(theirs, Files.readString(settings));
        assertEquals(0, install("--uninstall").exitCode());
        assertEquals(theirs, Files.readString(settings));
    }

    /** Puts recording stand-ins for the given commands first on the PATH; each appends its arguments to calls.log. */
    private String fakeCommands(String... commands) throws Exception {
        Path bin = Files.createDirectories(home.resolve("fake-bin"));
        for (String command : commands) {
            Path fake = bin.resolve(command);
            String body = command.equals("uname") ? "echo Darwin\n"
                    : "echo \"" + command + " $*\" >> \"" + home.resolve("calls.log") + "\"\n";
            Files.writeString(fake, "#!/bin/sh\n" + body);
            assertTrue(fake.toFile().setExecutable(true));
        }
        return bin + ":" + System.getenv("PATH");
    }

    @Test
    void theInstallersBuildRunsMavenWithoutColourAndPrintsNoEscapeCodes() throws Exception {
        String path = fakeCommands("mvn");
        // Debian's Maven 3.8 prints colour resets even in batch mode; this stand-in does the same, then records.
        Path mvn = home.resolve("fake-bin/mvn");
        Files.writeString(mvn, "#!/bin/sh\nprintf '\\033[0m\\033[0m'\nprintf '\\033[0m' >&2\n"
                + Files.readString(mvn).substring("#!/bin/sh\n".length()));

        var result = Shell.run(Shell.require("bash"), home, env("PATH", path), Shell.SCRIPTS.resolve("install.sh").toString());

        assertEquals(0, result.exitCode(), result.both());
        assertFalse(result.both().contains("\u001b"), "no escape codes: " + result.both());
        String calls = Files.readString(home.resolve("calls.log"));
        assertTrue(calls.contains("-B") && calls.contains("-Dstyle.color=never"), calls);
    }

    @Test
    void theServiceOptionInstallsAndEnablesASystemdUserUnit() throws Exception {
        var result = Shell.run(Shell.require("bash"), home, env("CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1",
                "PATH", fakeCommands("systemctl")), Shell.SCRIPTS.resolve("install.sh") + " --service");

        assertEquals(0, result.exitCode(), result.both());
        String unit = Files.readString(home.resolve(".config/systemd/user/claude-token-metrics.service"));
        assertTrue(unit.contains("ExecStart=" + home.resolve(".local/share/claude-token-metrics/bin/token-metrics-receiver")), unit);
        assertTrue(unit.contains("WantedBy=default.target"), unit);
        String calls = Files.readString(home.resolve("calls.log"));
        assertTrue(calls.contains("systemctl --user daemon-reload"), calls);
        assertTrue(calls.contains("systemctl --user enable --now claude-token-metrics.service"), calls);

        var uninstall = Shell.run(Shell.require("bash"), home, env("PATH", fakeCommands("systemctl")),
                Shell.SCRIPTS.resolve("install.sh") + " --uninstall");
        assertEquals(0, uninstall.exitCode(), uninstall.both());
        assertFalse(Files.exists(home.resolve(".config/systemd/user/claude-token-metrics.service")));
        assertTrue(Files.readString(home.resolve("calls.log")).contains("systemctl --user disable --now"));
    }

    @Test
    void theServiceOptionInstallsALaunchdAgentOnMacOs() throws Exception {
        var result = Shell.run(Shell.require("bash"), home, env("CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1",
                "PATH", fakeCommands("uname", "launchctl")), Shell.SCRIPTS.resolve("install.sh") + " --service");

        assertEquals(0, result.exitCode(), result.both());
        Path agent = home.resolve("Library/LaunchAgents/dev.tokenmetrics.receiver.plist");
        String plist = Files.readString(agent);
        assertTrue(plist.contains("<string>" + home.resolve(".local/share/claude-token-metrics/bin/token-metrics-receiver")
                + "</string>"), plist);
        assertTrue(plist.contains("<key>RunAtLoad</key><true/>"), plist);
        assertTrue(Files.readString(home.resolve("calls.log")).contains("launchctl load " + agent));
    }

    @Test
    void theSafeTestFailsOnABrokenEnvironmentAndSaysWhy() throws Exception {
        var result = Shell.run(Shell.require("bash"), home, env("OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4318",
                "OTEL_METRIC_EXPORT_INTERVAL", "5s", "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=abc"),
                Shell.SCRIPTS.resolve("claude-token-safe-test.sh").toString());

        assertEquals(1, result.exitCode(), result.both());
        assertTrue(result.out().contains("❌ OTEL_EXPORTER_OTLP_ENDPOINT '127.0.0.1:4318' is malformed"), result.out());
        assertTrue(result.out().contains("❌ OTEL_METRIC_EXPORT_INTERVAL '5s' is not a number of milliseconds"), result.out());
        assertTrue(result.out().contains("⚠️  OTEL_EXPORTER_OTLP_HEADERS is set"), result.out());
        assertTrue(result.out().contains("✅ statusline: "), "the throwaway receiver still ran: " + result.out());
        assertTrue(result.out().contains("2 check(s) failed"), result.out());
    }

    @Test
    void theSafeTestsThrowawayReceiverRunsOnAPortTheSystemPicks() throws Exception {
        var result = Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("claude-token-safe-test.sh").toString());

        assertEquals(0, result.exitCode(), result.both());
        var matcher = java.util.regex.Pattern.compile("✅ a throwaway receiver runs on port (\\d+) ").matcher(result.out());
        assertTrue(matcher.find(), result.out());
        int chosen = Integer.parseInt(matcher.group(1));
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range"); // Linux's ephemeral ports, where port 0 binds
        if (Files.isReadable(range)) {
            // read with cat: Files.readString returned only its first byte here (JDK 17, procfs)
            String[] bounds = Shell.run(Shell.require("bash"), home, env(), "cat " + range).out().trim().split("\\s+");
            assertTrue(chosen >= Integer.parseInt(bounds[0]) && chosen <= Integer.parseInt(bounds[1]), result.out());
        } else {
            assertNotEquals(20000, chosen, result.out());
        }
    }

    @Test
    void theSafeTestNamesAForeignProgramOnThePort() throws Exception {
        try (var foreign = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = foreign.getLocalPort();
            var result = Shell.run(Shell.require("bash"), home, env(), Shell.SCRIPTS.resolve("claude-token-safe-test.sh").toString());
            assertEquals(1, result.exitCode(), result.both());
            assertTrue(result.out().contains("❌ port " + port + " is held by another program"), result.out());
        } finally {
            port = 0;
        }
    }

    // Java: one function finds it for every script.

    /** A stand-in JDK whose java answers -XshowSettings with {@code major}; with {@code release}, it ships the file. */
    private Path fakeJdk(String name, int major, boolean release) throws Exception {
        Path jdk = Files.createDirectories(home.resolve("jdks/" + name + "/bin")).getParent();
        Path java = jdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = " + major + "' >&2\n");
        assertTrue(java.toFile().setExecutable(true));
        if (release) {
            Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Fake\"\nJAVA_VERSION=\"" + major + ".0.1\"\n");
        }
        return jdk;
    }

    private String findJava(String shell, Path javaHome, String path, String args) throws Exception {
        var result = Shell.run(Shell.require(shell), home, env("JAVA_HOME", javaHome == null ? "" : javaHome.toString(),
                "PATH", path), ". " + Shell.SCRIPTS.resolve("token-metrics-common.sh") + " && ctm_find_java " + args);
        assertEquals(0, result.exitCode(), result.both());
        return result.out().strip();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash", "sh"})
    void everyScriptFindsJavaTheSameWayFirstSeventeenOrNewerOrTheNewest(String shell) throws Exception {
        Path old = fakeJdk("jdk-11", 11, true);
        Path future = fakeJdk("jdk-99", 99, true);
        Path onPath = fakeJdk("path-jdk-21", 21, false); // no release file: its java is asked
        String path = onPath.resolve("bin") + ":" + System.getenv("PATH");

        assertEquals(onPath.resolve("bin/java").toString(), findJava(shell, old, path, "17"),
                "JAVA_HOME below 17 is passed over for the PATH's java");
        assertEquals(future.resolve("bin/java").toString(), findJava(shell, future, path, "17"), "JAVA_HOME first");
        assertEquals(future.resolve("bin/java").toString(), findJava(shell, old, future.resolve("bin") + ":" + path,
                "17 newest"), "the newest of all when asked");
        var none = Shell.run(Shell.require(shell), home, env("JAVA_HOME", old.toString()),
                ". " + Shell.SCRIPTS.resolve("token-metrics-common.sh") + " && ctm_find_java 100");
        assertEquals(1, none.exitCode(), none.both());
        assertEquals("", none.out());
    }

    @Test
    void theSafeTestNamesTheJavaEachLauncherRunsOn() throws Exception {
        Path future = fakeJdk("jdk-99", 99, true);
        var result = Shell.run(Shell.require("bash"), home, env("CLAUDE_STATUSLINE_JDK", future.toString()),
                Shell.SCRIPTS.resolve("claude-token-safe-test.sh").toString());
        var found = Shell.run(Shell.require("bash"), home, env(),
                ". " + Shell.SCRIPTS.resolve("token-metrics-common.sh") + " && ctm_find_java 17");

        assertTrue(result.out().contains("for the receiver (" + found.out().strip() + ")"), result.out());
        assertTrue(result.out().contains("✅ Java 99 for the statusline (" + future.resolve("bin/java") + ")"), result.out());
    }

    @Test
    void allScriptsAreShellcheckClean() throws Exception {
        String bash = Shell.require("bash");
        Shell.require("shellcheck");
        var result = Shell.run(bash, home, env(), "cd scripts && shellcheck -x *.sh token-metrics-receiver "
                + "&& shellcheck -s sh claude-statusline claude-token-metrics "
                + "&& shellcheck -s bash claude-token-config.sh "
                + "&& cd ../bench && shellcheck -x *.sh");
        assertEquals(0, result.exitCode(), result.both());
    }
}
