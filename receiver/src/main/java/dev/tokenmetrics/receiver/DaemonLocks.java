package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.publish.LiveFile;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * What a daemon claims for its whole life: its state directory, so that two daemons never share a journal, and its
 * metrics file, so that two writers never interleave their versions of it. Each claim is an OS lock on a file
 * beside what it guards ({@code receiver.lock}, {@code <metrics file>.lock}): a crash releases it, and a lock file
 * left behind means nothing.
 */
final class DaemonLocks implements AutoCloseable {

    /** Thrown when the state directory is locked by another live daemon. */
    static final class StateDirInUse extends IOException {
        StateDirInUse(Path stateDir) {
            super("another receiver is using " + stateDir);
        }
    }

    /** Thrown when another live daemon writes the metrics file; names it as its lock file does. */
    static final class MetricsFileInUse extends IOException {
        MetricsFileInUse(Path metricsFile, String holder) {
            super(metricsFile + " is already written by the receiver with " + holder
                    + "; use --metrics-file to choose another");
        }
    }

    private final FileChannel stateDirLock;
    private final FileChannel metricsFileLock;

    private DaemonLocks(FileChannel stateDirLock, FileChannel metricsFileLock) {
        this.stateDirLock = stateDirLock;
        this.metricsFileLock = metricsFileLock;
    }

    static DaemonLocks acquire(Path stateDir, Path metricsFile) throws IOException {
        FileChannel stateDirLock = lock(stateDir.resolve("receiver.lock"), holder -> new StateDirInUse(stateDir));
        try {
            Path lockFile = metricsFile.resolveSibling(metricsFile.getFileName() + ".lock");
            Files.createDirectories(lockFile.getParent());
            FileChannel metricsFileLock = lock(lockFile, holder -> new MetricsFileInUse(metricsFile, holder));
            try {
                // the lock file says who holds it, for the next daemon's refusal
                byte[] holder = ("pid " + ProcessHandle.current().pid() + " (state dir " + stateDir + ")\n")
                        .getBytes(StandardCharsets.UTF_8);
                metricsFileLock.truncate(0).write(ByteBuffer.wrap(holder), 0);
                AtomicFiles.deleteTemporaries(metricsFile); // the only writer now: any temporary is a crash's leftover
                AtomicFiles.deleteTemporaries(LiveFile.besideMetricsFile(metricsFile));
            } catch (IOException | RuntimeException e) {
                metricsFileLock.close();
                throw e;
            }
            return new DaemonLocks(stateDirLock, metricsFileLock);
        } catch (IOException | RuntimeException e) {
            stateDirLock.close();
            throw e;
        }
    }

    /** The lock file, opened and locked; when another daemon holds it, throws {@code inUse} of its holder. */
    private static FileChannel lock(Path lockFile, Function<String, IOException> inUse) throws IOException {
        FileChannel channel = AtomicFiles.openPrivate(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldByThisProcess) {
            // A daemon embedded in this JVM holds it. This channel is not closed: closing it would release that
            // lock too, POSIX record locks belonging to the process, not to the descriptor. (The collector may
            // still close it: embedded daemons must not share these files.)
            throw inUse.apply("pid " + ProcessHandle.current().pid() + " (this process)");
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close(); // this process holds no lock on the file: closing releases nothing
            throw inUse.apply(holder(lockFile));
        }
        return channel;
    }

    /** What the holder wrote into its lock file: "pid N (state dir D)". */
    private static String holder(Path lockFile) {
        try (FileChannel channel = AtomicFiles.openPrivate(lockFile, StandardOpenOption.READ)) {
            ByteBuffer content = ByteBuffer.allocate(4096);
            channel.read(content, 0);
            String text = new String(content.array(), 0, content.position(), StandardCharsets.UTF_8);
            String line = text.lines().findFirst().orElse("").strip();
            return line.startsWith("pid ") ? line : "pid unknown (it is starting)";
        } catch (IOException e) {
            return "pid unknown (" + e.getMessage() + ")";
        }
    }

    /** Releases both claims; closing a channel releases its lock. */
    @Override
    public void close() throws IOException {
        try {
            metricsFileLock.close();
        } finally {
            stateDirLock.close();
        }
    }
}
