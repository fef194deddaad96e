package dev.tokenmetrics.installer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Adds our statusLine to Claude Code's settings.json and takes it away again, touching nothing else.
 * <ul>
 * <li>{@code install SETTINGS COMMAND [--force]}: backs the file up if there is one (once, before our first change), then sets
 * {@code statusLine}. A different statusLine already there is kept unless {@code --force}.</li>
 * <li>{@code uninstall SETTINGS COMMAND}: if the file is still exactly what we wrote, restores the backup byte for
 * byte (or removes the file we created); otherwise removes only our statusLine, keeping the user's later edits.</li>
 * </ul>
 * Exit codes: 0 done (or nothing to do), 1 failure, 3 a different statusLine is configured (install without --force).
 */
public final class ClaudeSettings {

    static final int EXIT_OTHER_STATUSLINE = 3;
    /**
     * Claude Code re-runs the statusLine every this many seconds besides its own events (its minimum is 1). With the
     * shell integration's 1 s export interval, 1 s puts an answer's tokens on the row in about 1 s at the median and
     * 1.3 s at worst (2 s: 1.15 s, up to 2.8 s); a run on the statusline's fast path costs ~4 ms of CPU, so the
     * second run a second adds about 0.2 % of a core (docs/PERFORMANCE.md).
     */
    static final int REFRESH_SECONDS = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClaudeSettings() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length < 3 || !(args[0].equals("install") || args[0].equals("uninstall"))) {
            System.err.println("usage: ClaudeSettings install|uninstall SETTINGS_JSON STATUSLINE_COMMAND [--force]");
            return 1;
        }
        Path settings = Path.of(args[1]);
        String command = args[2];
        boolean force = Arrays.asList(args).contains("--force");
        try {
            return args[0].equals("install") ? install(settings, command, force) : uninstall(settings, command);
        } catch (JsonProcessingException e) {
            System.err.println("claude-token-metrics: " + settings + " is not valid JSON (" + e.getOriginalMessage()
                    + "); left unchanged");
            return 1;
        } catch (IOException e) {
            System.err.println("claude-token-metrics: cannot update " + settings + ": " + e.getMessage());
            return 1;
        }
    }

    static Path backupOf(Path settings) {
        return settings.resolveSibling(settings.getFileName() + ".claude-token-metrics.bak");
    }

    /** What we wrote last, to tell our file from one the user edited since. */
    static Path writtenOf(Path settings) {
        return settings.resolveSibling(settings.getFileName() + ".claude-token-metrics.written");
    }

    static int install(Path settings, String command, boolean force) throws IOException {
        boolean existed = Files.exists(settings);
        byte[] original = existed ? Files.readAllBytes(settings) : null;
        ObjectNode root = existed ? object(original) : JSON.createObjectNode();
        JsonNode current = root.get("statusLine");
        if (current != null && command.equals(current.path("command").asText(null))) {
            System.out.println("claude-token-metrics: statusLine already installed in " + settings);
            return 0;
        }
        if (current != null && !current.isNull() && !force) {
            System.err.println("claude-token-metrics: " + settings + " already has a statusLine ("
                    + current.path("command").asText(current.toString()) + "); not replacing it.\n"
                    + "  Run the installer with --force to replace it (the file is backed up first), or keep yours and"
                    + " show ours inside it by calling " + command + " from your script.");
            return EXIT_OTHER_STATUSLINE;
        }
        Path backup = backupOf(settings);
        boolean firstChange = !Files.exists(backup) && !Files.exists(writtenOf(settings));
        Files.createDirectories(settings.toAbsolutePath().getParent());
        if (existed && firstChange) { // the file before our first change; later installs must not overwrite it
            Files.write(backup, original);
        }
        ObjectNode statusLine = JSON.createObjectNode().put("type", "command").put("command", command)
                .put("refreshInterval", REFRESH_SECONDS);
        root.set("statusLine", statusLine);
        byte[] updated = render(root);
        write(settings, updated);
        Files.write(writtenOf(settings), updated);
        System.out.println("claude-token-metrics: statusLine installed in " + settings
                + (Files.exists(backup) ? " (backup: " + backup + ")" : " (a new file: there was none)"));
        return 0;
    }

    static int uninstall(Path settings, String command) throws IOException {
        Path backup = backupOf(settings);
        Path written = writtenOf(settings);
        if (!Files.exists(settings)) {
            Files.deleteIfExists(backup);
            Files.deleteIfExists(written);
            return 0;
        }
        byte[] current = Files.readAllBytes(settings);
        if (Files.exists(written) && Arrays.equals(current, Files.readAllBytes(written))) {
            // No backup (or the empty one older installs made): there was no file before we created it.
            byte[] original = Files.exists(backup) ? Files.readAllBytes(backup) : new byte[0];
            if (original.length == 0) {
                Files.delete(settings);
                System.out.println("claude-token-metrics: " + settings + " removed: it did not exist before installing");
            } else {
                write(settings, original);
                System.out.println("claude-token-metrics: " + settings + " restored as it was before installing");
            }
        } else {
            ObjectNode root = object(current);
            JsonNode statusLine = root.get("statusLine");
            if (statusLine != null && command.equals(statusLine.path("command").asText(null))) {
                root.remove("statusLine");
                write(settings, render(root));
                System.out.println("claude-token-metrics: statusLine removed from " + settings
                        + "; your other changes since installing are kept");
            }
        }
        Files.deleteIfExists(backup);
        Files.deleteIfExists(written);
        return 0;
    }

    private static ObjectNode object(byte[] json) throws IOException {
        if (new String(json, StandardCharsets.UTF_8).isBlank()) {
            return JSON.createObjectNode();
        }
        JsonNode root = JSON.readTree(json);
        if (!(root instanceof ObjectNode object)) {
            throw new IOException("its top level is not a JSON object; left unchanged");
        }
        return object;
    }

    /** Two-space indentation, as Claude Code writes the file. */
    private static byte[] render(ObjectNode root) throws IOException {
        var printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        return (JSON.writer(printer).writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Path settings, byte[] content) throws IOException {
        Files.createDirectories(settings.toAbsolutePath().getParent());
        Path temporary = settings.resolveSibling(settings.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.write(temporary, content);
        Files.move(temporary, settings, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
