package dev.tokenmetrics.receiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one way the daemon creates files: private from the first moment, never through a link. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    private static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theTemporaryFileIsOwnerOnlyFromItsCreationNotChmodedAfterTheWrite() throws IOException {
        Path temporary = AtomicFiles.temporaryFor(dir.resolve("token-metrics.json"));

        try (var channel = AtomicFiles.createPrivate(temporary)) {
            // nothing written and no chmod yet: what others could open now is what they could ever open
            assertEquals("rw-------", mode(temporary));
        }
    }

    @Test
    void temporaryNamesCannotBeGuessed() {
        Path target = dir.resolve("token-metrics.json");
        Path first = AtomicFiles.temporaryFor(target);
        Path second = AtomicFiles.temporaryFor(target);

        assertNotEquals(first, second);
        assertNotEquals(dir.resolve(".token-metrics.json.tmp"), first, "not the old fixed name");
        assertTrue(first.getFileName().toString().matches("\\.token-metrics\\.json\\.[0-9a-z]{1,13}\\.tmp"), first.toString());
    }

    @Test
    void linksPlantedAtTheTargetAndAtTheOldTemporaryNameAreReplacedNeverFollowed() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path target = dir.resolve("token-metrics.json");
        Files.createSymbolicLink(target, victim);
        Files.createSymbolicLink(dir.resolve(".token-metrics.json.tmp"), victim);

        AtomicFiles.write(target, "{}".getBytes(StandardCharsets.UTF_8), AtomicFiles.Durability.CONTENT);

        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(target), "the link itself was replaced");
        assertEquals("{}", Files.readString(target));
        assertEquals("rw-------", mode(target));
    }

    @Test
    void aFailedReplacementLeavesNoTemporaryFileBehind() throws IOException {
        Path target = Files.createDirectory(dir.resolve("token-metrics.json"));
        Files.writeString(target.resolve("inside"), "a non-empty directory cannot be renamed over");

        assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[] {1}, AtomicFiles.Durability.CONTENT));

        assertEquals(List.of("token-metrics.json"), names(dir));
    }

    @Test
    void keptFilesAreCreatedOwnerOnlyAndALinkAtTheirNameIsRefused() throws IOException {
        Path lock = dir.resolve("receiver.lock");
        try (var channel = AtomicFiles.openPrivate(lock, StandardOpenOption.WRITE)) {
            assertEquals("rw-------", mode(lock));
        }
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path log = Files.createSymbolicLink(dir.resolve("receiver.log"), victim);

        IOException refused = assertThrows(IOException.class, () -> AtomicFiles.openPrivate(log, StandardOpenOption.APPEND));

        assertTrue(refused.getMessage().startsWith(log + " is a symbolic link; refusing to follow it"), refused.getMessage());

        assertEquals("precious", Files.readString(victim));
    }

    @Test
    void temporariesLeftByACrashAreDeletedAndNothingElse() throws IOException {
        Path target = dir.resolve("token-metrics.json");
        Files.writeString(target, "{}");
        Files.writeString(AtomicFiles.temporaryFor(target), "left by a crash");
        Files.writeString(dir.resolve(".token-metrics.json.not-ours.tmp"), "someone else's");
        Files.createSymbolicLink(dir.resolve(".token-metrics.json.tmp"), dir.resolve("settings.json"));
        Files.writeString(dir.resolve("settings.json"), "{}");

        AtomicFiles.deleteTemporaries(target);

        assertEquals(List.of(".token-metrics.json.not-ours.tmp", ".token-metrics.json.tmp", "settings.json",
                "token-metrics.json"), names(dir));
    }
}
