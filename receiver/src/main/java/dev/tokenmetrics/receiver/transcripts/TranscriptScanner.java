package dev.tokenmetrics.receiver.transcripts;

import dev.tokenmetrics.receiver.transcripts.TranscriptUpdate.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Finds Claude Code's transcripts under {@code ~/.claude/projects} and reads what each gained since the last scan.
 *
 * <p>Sessions are {@code <project>/<session>.jsonl}, subagents {@code <project>/<session>/subagents/agent-<id>.jsonl};
 * every {@code .jsonl} file down to that depth is taken, links not followed. A file whose identity, size and
 * modification time are as last seen is not opened: re-scanning an unchanged history costs one directory walk.
 * A file that changed is read from where the last scan stopped, unless it shrank below that point, has a new
 * identity, or no longer ends its read part with the same bytes: then it is read again from the start and reported
 * {@link Kind#REPLACED}.
 */
public final class TranscriptScanner {

    /** How many bytes before the resume offset vouch that the part already read is unchanged. */
    public static final int TAIL_BYTES = 64;

    /** {@code projects/<project>/<session>/subagents/agent-<id>.jsonl} is four levels down. */
    private static final int MAX_DEPTH = 4;

    private final Path root;
    private final TranscriptReader reader;
    private final int threads;

    /** A scanner that reads one file at a time. */
    public TranscriptScanner(Path projectsRoot, TranscriptReader reader) {
        this(projectsRoot, reader, 1);
    }

    /**
     * @param threads how many files are read at once when several changed (a first scan of a long history): each
     *     scan that has more than one file to read starts that many threads and ends them before it returns
     */
    public TranscriptScanner(Path projectsRoot, TranscriptReader reader, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads);
        }
        this.root = Objects.requireNonNull(projectsRoot, "projectsRoot");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.threads = threads;
    }

    /** Claude Code's projects directory: {@code $CLAUDE_CONFIG_DIR/projects}, else {@code ~/.claude/projects}. */
    public static Path defaultRoot(Map<String, String> environment, Path home) {
        String configured = environment.get("CLAUDE_CONFIG_DIR");
        Path config = configured == null || configured.isBlank() ? home.resolve(".claude") : Path.of(configured);
        return config.resolve("projects");
    }

    public Path root() {
        return root;
    }

    /**
     * Reads what changed since {@code previous} and gives each transcript's news to {@code sink}, in path order,
     * one at a time: a first scan of a long history never holds more than a few files' requests. If the sink throws,
     * the scan ends with that exception and the caller keeps its previous state.
     *
     * @return the state to store once the sink has stored what it was given, and what else the scan saw
     */
    public ScanResult scan(ScanState previous, Consumer<TranscriptUpdate> sink) {
        Map<String, FileState> before = previous.byPath();
        List<Path> failed = new ArrayList<>();
        List<Found> found = walk(failed, !before.isEmpty());
        List<FileState> after = new ArrayList<>();
        List<Read> reads = new ArrayList<>();
        for (Found file : found) {
            FileState known = before.remove(file.key());
            if (known != null && unchanged(known, file.state())) {
                after.add(known);
            } else {
                reads.add(new Read(file, known));
            }
        }
        long bytesRead = 0;
        try (Reads outcomes = new Reads(reads)) {
            while (outcomes.hasNext()) {
                Outcome outcome = outcomes.next();
                if (outcome.state() != null) {
                    after.add(outcome.state());
                }
                if (outcome.failed() != null) {
                    failed.add(outcome.failed());
                }
                if (outcome.update() != null) {
                    bytesRead += outcome.update().chunk().bytesRead();
                    sink.accept(outcome.update());
                }
            }
        }
        List<Path> removed = new ArrayList<>();
        for (FileState gone : before.values()) {
            Path path = root.resolve(gone.path());
            if (failed.stream().anyMatch(path::startsWith)) {
                after.add(gone); // not seen because it could not be looked at, not because it is gone
            } else {
                removed.add(path);
            }
        }
        return new ScanResult(new ScanState(after), removed, failed, found.size(), reads.size(), bytesRead);
    }

    /** A file to open: what the walk saw, and what the last scan knew of it ({@code null} if nothing). */
    private record Read(Found file, FileState known) {
    }

    /** What reading one changed file gave: its new state (or the old one, or none), an update, or a failure. */
    private record Outcome(FileState state, TranscriptUpdate update, Path failed) {
    }

    private Outcome read(Read read) {
        Found file = read.file();
        FileState known = read.known();
        FileState seen = file.state();
        try {
            Kind kind = known == null ? Kind.NEW : continues(known, seen, file.path()) ? Kind.APPENDED : Kind.REPLACED;
            long from = kind == Kind.APPENDED ? known.offset() : 0;
            TranscriptChunk chunk = reader.read(file.path(), from, seen.size());
            FileState state = new FileState(seen.path(), seen.size(), seen.modifiedNanos(), seen.identity(),
                    chunk.resumeOffset(), tailChecksum(file.path(), chunk.resumeOffset()));
            // a replaced file is news even if now empty: its earlier rows are to go
            boolean news = kind == Kind.REPLACED || chunk.bytesRead() > 0;
            return new Outcome(state, news ? new TranscriptUpdate(file.path(), kind, file.subagent(), chunk) : null,
                    null);
        } catch (IOException e) {
            return new Outcome(known, null, file.path()); // the next scan tries again from where this one stood
        }
    }

    /**
     * The outcomes of the reads in their order. On one thread each is read when asked for; on several, a window of
     * a few reads runs ahead, so that memory stays bounded by the window, not the history.
     */
    private final class Reads implements AutoCloseable {
        private final List<Read> reads;
        private final ExecutorService pool;
        private final Deque<Future<Outcome>> ahead = new ArrayDeque<>();
        private int next;

        Reads(List<Read> reads) {
            this.reads = reads;
            this.pool = threads > 1 && reads.size() > 1 ? Executors.newFixedThreadPool(threads) : null;
        }

        boolean hasNext() {
            return !ahead.isEmpty() || next < reads.size();
        }

        Outcome next() {
            if (pool == null) {
                return read(reads.get(next++));
            }
            while (ahead.size() < 2 * threads && next < reads.size()) {
                Read read = reads.get(next++);
                ahead.add(pool.submit(() -> read(read)));
            }
            try {
                return ahead.remove().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while scanning transcripts");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause()); // read() catches what it expects: this is a bug
            }
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private static boolean unchanged(FileState known, FileState seen) {
        return known.identity().equals(seen.identity()) && known.size() == seen.size()
                && known.modifiedNanos() == seen.modifiedNanos();
    }

    /** Whether what was read before is still the start of the file, so that reading on from its end is right. */
    private static boolean continues(FileState known, FileState seen, Path path) throws IOException {
        return known.identity().equals(seen.identity()) && seen.size() >= known.offset()
                && tailChecksum(path, known.offset()) == known.tailChecksum();
    }

    private static long tailChecksum(Path path, long offset) throws IOException {
        if (offset == 0) {
            return 0;
        }
        int length = (int) Math.min(TAIL_BYTES, offset);
        ByteBuffer tail = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (tail.hasRemaining()) {
                if (channel.read(tail, offset - length + tail.position()) < 0) {
                    return -1; // shorter than it was: matches no checksum (CRC32 values are never negative)
                }
            }
        }
        CRC32 crc = new CRC32();
        crc.update(tail.flip());
        return crc.getValue();
    }

    /** A transcript as the walk saw it. */
    private record Found(Path path, String key, BasicFileAttributes attributes) {

        /** As the walk saw it, not yet read: offset 0. */
        FileState state() {
            Object fileKey = attributes.fileKey();
            return new FileState(key, attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    fileKey == null ? "" : fileKey.toString(), 0, 0);
        }

        boolean subagent() {
            Path parent = path.getParent();
            return parent != null && parent.getFileName() != null
                    && parent.getFileName().toString().equals("subagents");
        }
    }

    private List<Found> walk(List<Path> failed, boolean expected) {
        List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            if (expected) {
                failed.add(root); // an unmounted home is not a deleted history
            }
            return found;
        }
        try {
            Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                            if (attributes.isRegularFile() && file.getFileName().toString().endsWith(".jsonl")) {
                                found.add(new Found(file, root.relativize(file).toString(), attributes));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (!(e instanceof NoSuchFileException)) {
                                failed.add(file); // gone between listing and looking is simply gone
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            failed.add(root);
        }
        found.sort((a, b) -> a.path.compareTo(b.path));
        return found;
    }
}
