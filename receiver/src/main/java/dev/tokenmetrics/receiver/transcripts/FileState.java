package dev.tokenmetrics.receiver.transcripts;

import java.util.Objects;

/**
 * What a scan knows of one transcript: how it looked when last read, and how far it was read.
 *
 * @param path relative to the scanned root, with the platform's separator
 * @param size the size read up to (the file may have had a partial last line beyond {@code offset})
 * @param modifiedNanos the last-modified time, in nanoseconds since the epoch
 * @param identity the file system's key for the file (device and inode on Linux), "" where there is none: a new
 *     value means the file was replaced
 * @param offset where the next read starts: after the last complete line
 * @param tailChecksum CRC32 of the (up to {@value TranscriptScanner#TAIL_BYTES}) bytes before {@code offset}: a
 *     file rewritten in place, under the same identity and no shorter, no longer ends its read part with them
 */
public record FileState(String path, long size, long modifiedNanos, String identity, long offset, long tailChecksum) {

    public FileState {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(identity, "identity");
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException(path + ": offset " + offset + ", size " + size);
        }
    }
}
