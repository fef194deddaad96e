package dev.tokenmetrics.receiver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Whole-file replacement that readers never see half-done and that survives a crash once it returns. */
public final class AtomicFiles {

    /** Usage figures are private: 0600, set explicitly since the umask could only narrow what creation asks for. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFiles() {
    }

    /**
     * Writes to a temporary file beside the target, forces it and renames it over the target; with
     * {@code durableRename}, also forces the directory so that the rename itself survives a crash.
     */
    public static void write(Path target, byte[] content, boolean durableRename) throws IOException {
        write(target, ByteBuffer.wrap(content), durableRename);
    }

    /** As {@link #write(Path, byte[], boolean)}, with the buffer's remaining bytes as the content. */
    static void write(Path target, ByteBuffer content, boolean durableRename) throws IOException {
        Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = content.duplicate();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.setPosixFilePermissions(temporary, OWNER_ONLY);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durableRename) {
            forceDirectory(target.toAbsolutePath().getParent());
        }
    }

    /** Makes the directory's entries (creations, renames, deletions) durable. */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
