package dev.tokenmetrics.installer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaudeSettingsTest {

    private static final String OURS = "/home/u/.local/bin/claude-statusline";
    private static final String USERS = "{\n    \"model\": \"opus\",\n    \"permissions\": {\"allow\": [\"Bash(ls)\"]},"
            + "\n    \"env\": {\"FOO\": \"bar\"}\n}";

    @TempDir
    Path dir;

    private Path settings() {
        return dir.resolve(".claude/settings.json");
    }

    private JsonNode json() throws Exception {
        return new ObjectMapper().readTree(settings().toFile());
    }

    private int run(String... args) {
        return ClaudeSettings.run(args);
    }

    @Test
    void installsIntoAnEmptyHomeAndUninstallLeavesNothing() throws Exception {
        assertEquals(0, run("install", settings().toString(), OURS));
        assertEquals(OURS, json().path("statusLine").path("command").asText());
        assertEquals("command", json().path("statusLine").path("type").asText());
        assertEquals(1, json().path("statusLine").path("refreshInterval").asInt(), "seconds: docs/PERFORMANCE.md");
        assertFalse(Files.exists(ClaudeSettings.backupOf(settings())), "no file before, so no backup");

        assertEquals(0, run("uninstall", settings().toString(), OURS));
        assertFalse(Files.exists(settings()));
        try (var files = Files.list(dir.resolve(".claude"))) {
            assertEquals(0, files.count(), "no backup or marker left behind");
        }
    }

    @Test
    void keepsEveryOtherKeyAndUninstallRestoresTheOriginalByteForByte() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), USERS);

        assertEquals(0, run("install", settings().toString(), OURS));
        assertEquals("opus", json().path("model").asText());
        assertEquals("Bash(ls)", json().path("permissions").path("allow").get(0).asText());
        assertEquals("bar", json().path("env").path("FOO").asText());
        assertEquals(OURS, json().path("statusLine").path("command").asText());
        assertEquals(USERS, Files.readString(ClaudeSettings.backupOf(settings())), "backed up before the change");

        assertEquals(0, run("install", settings().toString(), OURS), "twice is fine");
        assertEquals(USERS, Files.readString(ClaudeSettings.backupOf(settings())), "the backup is still the original");

        assertEquals(0, run("uninstall", settings().toString(), OURS));
        assertArrayEquals(USERS.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(settings()));
    }

    @Test
    void refusesToReplaceAnotherStatusLineWithoutForce() throws Exception {
        Files.createDirectories(settings().getParent());
        String theirs = "{\"statusLine\": {\"type\": \"command\", \"command\": \"~/my-line.sh\"}}";
        Files.writeString(settings(), theirs);

        assertEquals(ClaudeSettings.EXIT_OTHER_STATUSLINE, run("install", settings().toString(), OURS));
        assertEquals(theirs, Files.readString(settings()), "untouched");

        assertEquals(0, run("install", settings().toString(), OURS, "--force"));
        assertEquals(OURS, json().path("statusLine").path("command").asText());
        assertEquals(0, run("uninstall", settings().toString(), OURS));
        assertEquals(theirs, Files.readString(settings()), "their statusLine is back");
    }

    @Test
    void uninstallAfterTheUserEditedTheFileRemovesOnlyOurStatusLine() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), USERS);
        run("install", settings().toString(), OURS);
        String edited = Files.readString(settings()).replace("\"opus\"", "\"sonnet\"");
        Files.writeString(settings(), edited);

        assertEquals(0, run("uninstall", settings().toString(), OURS));
        assertEquals("sonnet", json().path("model").asText(), "the user's later edit is kept");
        assertTrue(json().path("statusLine").isMissingNode());
    }

    @Test
    void leavesInvalidJsonAlone() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), "{ not json");
        assertEquals(1, run("install", settings().toString(), OURS));
        assertEquals("{ not json", Files.readString(settings()));
        assertFalse(Files.exists(ClaudeSettings.backupOf(settings())));
    }

    @Test
    void anEmptyBackupFromAnOlderInstallStillMeansThereWasNoFile() throws Exception {
        assertEquals(0, run("install", settings().toString(), OURS));
        Files.write(ClaudeSettings.backupOf(settings()), new byte[0]);

        assertEquals(0, run("uninstall", settings().toString(), OURS));
        assertFalse(Files.exists(settings()));
        assertFalse(Files.exists(ClaudeSettings.backupOf(settings())));
    }
}
