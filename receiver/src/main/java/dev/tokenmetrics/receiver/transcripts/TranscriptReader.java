package dev.tokenmetrics.receiver.transcripts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.tokenmetrics.receiver.transcripts.TranscriptLineParser.MalformedLineException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a transcript from a byte offset to its end, complete lines only: a last line without its {@code '\n'} is
 * still being written and is left for the next read, which starts at {@link TranscriptChunk#resumeOffset()}.
 *
 * <p>Streamed lines of one message are merged within a read (the last one wins: output tokens only grow). A
 * message can straddle two reads; the caller merges across reads the same way, by
 * {@link TranscriptRequest#key()}, the later read winning.
 *
 * <p>Bad lines are counted in {@link TranscriptChunk#malformed()} and skipped, never thrown; only I/O fails.
 * Thread-safe: every read has its own buffer and parser.
 */
public final class TranscriptReader {

    /** Lines longer than this are skipped (and counted) without being held in memory. */
    public static final int DEFAULT_MAX_LINE_BYTES = 64 << 20;

    private static final int FIRST_BUFFER_BYTES = 256 << 10;

    // Jackson's guards (nesting depth 1000, name length 50,000) protect recursive readers; here content is skipped in a
    // loop and a line is bounded by maxLineBytes, so they would only turn a model's deeply nested tool input into a
    // lost request.
    private final TranscriptLineParser lines = new TranscriptLineParser(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build());
    private final int maxLineBytes;

    public TranscriptReader() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    public TranscriptReader(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /** Reads from {@code offset} to the file's current end. */
    public TranscriptChunk read(Path transcript, long offset) throws IOException {
        return read(transcript, offset, Long.MAX_VALUE);
    }

    /**
     * Reads from {@code offset} up to {@code limit} (a size the caller saw, so that what it records matches what
     * was read even while the file grows).
     */
    public TranscriptChunk read(Path transcript, long offset, long limit) throws IOException {
        if (offset < 0 || limit < offset) {
            throw new IllegalArgumentException("offset " + offset + ", limit " + limit);
        }
        try (FileChannel channel = FileChannel.open(transcript, StandardOpenOption.READ)) {
            Collector collector = new Collector(transcript);
            long resume = split(channel, offset, Math.min(limit, channel.size()), collector);
            return collector.chunk(offset, resume);
        }
    }

    /** Cuts {@code [offset, limit)} into lines for the collector; returns the offset after the last complete one. */
    private long split(FileChannel channel, long offset, long limit, Collector collector) throws IOException {
        byte[] buffer = new byte[(int) Math.min(FIRST_BUFFER_BYTES, Math.max(1, Math.min(maxLineBytes, limit - offset)))];
        long base = offset;         // the file offset of buffer[0]
        int start = 0;              // the current line's start in the buffer
        int end = 0;                // how much of the buffer holds data
        int scanned = 0;            // no '\n' in [start, scanned)
        long oversizedStart = -1;   // the file offset of a line too long to hold, while it is being skipped
        long remaining = limit - offset;
        while (true) {
            int newline = Newlines.indexOf(buffer, scanned, end);
            if (newline >= 0) {
                if (oversizedStart >= 0) {
                    collector.malformed();
                    oversizedStart = -1;
                } else {
                    collector.line(buffer, start, newline - start, base + start);
                }
                start = newline + 1;
                scanned = start;
                continue;
            }
            scanned = end;
            if (remaining == 0) {
                break;
            }
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                base += start;
                end -= start;
                scanned -= start;
                start = 0;
            }
            if (end == buffer.length) {
                if (buffer.length >= maxLineBytes) {
                    if (oversizedStart < 0) {
                        oversizedStart = base;
                    }
                    base += end;
                    end = 0;
                    scanned = 0;
                } else {
                    buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, maxLineBytes));
                }
            }
            int wanted = (int) Math.min(buffer.length - end, remaining);
            int read = channel.read(ByteBuffer.wrap(buffer, end, wanted), base + end);
            if (read < 0) {
                break; // shrank while we read: what is complete so far stands, the scanner sees the rest
            }
            end += read;
            remaining -= read;
        }
        return oversizedStart >= 0 ? oversizedStart : base + start;
    }

    /** The entries of one read, streamed lines of a message merged. */
    private final class Collector {
        private final Path transcript;
        private final Map<String, TranscriptRequest> requests = new LinkedHashMap<>();
        private final List<CostState> costStates = new ArrayList<>();
        private long lineCount;
        private long malformed;
        private Instant lastRequestTime;

        Collector(Path transcript) {
            this.transcript = transcript;
        }

        void line(byte[] buffer, int start, int length, long offset) {
            lineCount++;
            TranscriptEntry entry;
            try {
                entry = lines.parse(buffer, start, length, transcript, offset, lastRequestTime);
            } catch (MalformedLineException e) {
                malformed++;
                return;
            }
            if (entry instanceof TranscriptRequest request) {
                requests.put(request.messageId(), request); // a later line of the same message replaces it in place
                lastRequestTime = request.timestamp();
            } else if (entry instanceof CostState costState) {
                costStates.add(costState);
            }
        }

        void malformed() {
            lineCount++;
            malformed++;
        }

        TranscriptChunk chunk(long from, long resume) {
            return new TranscriptChunk(transcript, from, resume, new ArrayList<>(requests.values()), costStates,
                    lineCount, malformed);
        }
    }
}
