package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.store.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * The log file, never larger than its limit: when the next line would pass it, the file becomes {@code <name>.1}
 * (replacing the one before) and a new one starts, so the two together stay under twice the limit whatever is
 * logged. Each line is one write, visible at once; the file is opened without following links and created 0600.
 */
final class RotatingLogFile extends Handler {

    private final Path file;
    private final Path previous;
    private final long limit;
    private FileChannel channel;
    private long size;

    RotatingLogFile(Path file, long limit) throws IOException {
        this.file = file;
        this.previous = file.resolveSibling(file.getFileName() + ".1");
        this.limit = limit;
        open();
    }

    private void open() throws IOException {
        channel = AtomicFiles.openPrivate(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        byte[] line;
        try {
            line = getFormatter().format(record).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        try {
            if (size > 0 && size + line.length > limit) {
                rotate();
            }
            ByteBuffer buffer = ByteBuffer.wrap(line, 0, (int) Math.min(line.length, limit)); // even a huge line
            while (buffer.hasRemaining()) {
                size += channel.write(buffer);
            }
        } catch (IOException e) {
            reportError(null, e, ErrorManager.WRITE_FAILURE);
        }
    }

    private void rotate() throws IOException {
        channel.close();
        try {
            Files.move(file, previous, StandardCopyOption.REPLACE_EXISTING); // renames: a link at .1 is replaced
        } finally {
            open(); // a log that failed to rotate goes on growing rather than falling silent
        }
    }

    @Override
    public void flush() {
        // every line is written when published
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            reportError(null, e, ErrorManager.CLOSE_FAILURE);
        }
    }
}
