package dev.tokenmetrics.receiver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whole-file replacement that readers never see half-done and that survives a crash once it returns, and the one
 * way this daemon creates files: never through a symbolic link, and private (0600) from the moment they exist, so
 * that another local user can neither read a version nor redirect a write with a planted link.
 */
public final class AtomicFiles {

    /** Usage figures are private. Asked for at creation: the umask can only narrow it, and no chmod comes late. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_AT_CREATION =
            PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    /** Temporary names nobody can guess, so nobody can plant anything at them beforehand. */
    private static final SecureRandom NAMES = new SecureRandom();

    private AtomicFiles() {
    }

    /** What survives a power loss or a kernel crash (a reader always sees the old file or the new, whole). */
    public enum Durability {
        /**
         * Nothing is forced: for files rebuilt from durable state (the metrics file, the live file, the pid file),
         * rewritten several times a second under load, where an fsync each time is only wear and battery.
         */
        REPLACED,
        /** The content is forced before the rename. */
        CONTENT,
        /** The content and then the directory are forced, so that the rename itself survives (a snapshot). */
        RENAME
    }

    /**
     * Writes to a new temporary file beside the target and renames it over the target (the rename replaces a link
     * at the target, never what it points to), forcing what {@code durability} says.
     */
    public static void write(Path target, byte[] content, Durability durability) throws IOException {
        write(target, ByteBuffer.wrap(content), durability);
    }

    /** As {@link #write(Path, byte[], Durability)}, with the buffer's remaining bytes as the content. */
    static void write(Path target, ByteBuffer content, Durability durability) throws IOException {
        Path temporary = temporaryFor(target);
        FileChannel created = createPrivate(temporary);
        try {
            try (FileChannel channel = created) {
                ByteBuffer buffer = content.duplicate();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (durability != Durability.REPLACED) {
                    channel.force(true);
                }
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary); // the file we created: unlinking a name never follows a link
            throw e;
        }
        if (durability == Durability.RENAME) {
            forceDirectory(target.toAbsolutePath().getParent());
        }
    }

    /** {@code .name.<random>.tmp} beside the target: hidden, recognisably ours, and unpredictable. */
    static Path temporaryFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + Long.toUnsignedString(NAMES.nextLong(), 36)
                + ".tmp");
    }

    /**
     * Deletes the temporary files of {@code target} that a crash left behind; only for a writer that holds the
     * target's lock, so that no write is under way.
     */
    public static void deleteTemporaries(Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        try (var siblings = Files.newDirectoryStream(target.toAbsolutePath().getParent(), entry -> {
            String name = entry.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(".tmp") && name.length() > prefix.length() + 4
                    && name.substring(prefix.length(), name.length() - 4).matches("[0-9a-z]{1,13}");
        })) {
            for (Path leftover : siblings) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /** Creates a new file for writing: fails if anything, a link included, already has the name (O_EXCL). */
    static FileChannel createPrivate(Path path) throws IOException {
        return FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), OWNER_ONLY_AT_CREATION);
    }

    /**
     * Opens a file we keep (a lock, a log, a journal segment), creating it 0600 if it is missing; a symbolic link
     * at its name is an error (ELOOP), never followed.
     */
    public static FileChannel openPrivate(Path path, OpenOption... options) throws IOException {
        var all = new HashSet<OpenOption>(List.of(options));
        all.add(StandardOpenOption.CREATE);
        all.add(LinkOption.NOFOLLOW_LINKS);
        try {
            return FileChannel.open(path, all, OWNER_ONLY_AT_CREATION);
        } catch (IOException e) {
            if (Files.isSymbolicLink(path)) { // the JDK's ELOOP message names neither the file nor the reason
                throw new IOException(path + " is a symbolic link; refusing to follow it (remove it if it is not yours)");
            }
            throw e;
        }
    }

    /** Makes the directory's entries (creations, renames, deletions) durable. */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
