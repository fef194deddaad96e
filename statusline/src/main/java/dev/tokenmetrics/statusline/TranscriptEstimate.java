package dev.tokenmetrics.statusline;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.HashSet;

/**
 * The session's tokens as Claude Code's transcript (JSONL) records them: each assistant message's {@code usage},
 * counted once per message id and request id (Claude Code writes one line per content block, repeating the usage).
 * Parsing is incremental: the byte offset reached, the sums and the counted keys are cached per transcript, so a
 * render reads only what was appended since the last one.
 */
final class TranscriptEstimate {

    private static final long CACHE_MAGIC = 0x5452414E53435232L; // "TRANSCR2"
    private static final int FINGERPRINT_BYTES = 256;
    private static final int CHUNK_BYTES = 4 << 20;
    private static final int MAX_LINE_BYTES = 64 << 20;
    private static final byte[] USAGE = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private long offset;
    private long fingerprint;
    private long tokens;
    private final HashSet<Long> counted = new HashSet<>();

    private TranscriptEstimate() {
    }

    /** The estimated total, or -1 when the transcript cannot be read. */
    static long tokens(File transcript, File cacheDir) {
        try {
            File cache = cacheDir == null ? null
                    : new File(cacheDir, "transcript-" + Long.toHexString(hash(transcript.getPath(), "")) + ".bin");
            TranscriptEstimate estimate = cache == null ? new TranscriptEstimate() : load(cache);
            if (estimate.advance(transcript) && cache != null) {
                estimate.save(cache);
            }
            return estimate.tokens;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Reads what was appended since the cached offset, a chunk at a time; true when anything may have changed. */
    private boolean advance(File transcript) throws IOException {
        try (var file = new RandomAccessFile(transcript, "r")) {
            long size = file.length();
            long currentFingerprint = fingerprint(file, size);
            boolean restarted = size < offset || currentFingerprint != fingerprint;
            if (restarted) { // rewritten or replaced: start over
                offset = 0;
                tokens = 0;
                counted.clear();
                fingerprint = currentFingerprint;
            }
            if (size == offset) {
                return restarted;
            }
            byte[] carried = new byte[0]; // the start of a line that continues in the next chunk
            long position = offset;
            file.seek(position);
            while (position < size) {
                byte[] chunk = new byte[carried.length + (int) Math.min(CHUNK_BYTES, size - position)];
                System.arraycopy(carried, 0, chunk, 0, carried.length);
                int filled = carried.length;
                for (int n; filled < chunk.length && (n = file.read(chunk, filled, chunk.length - filled)) > 0; ) {
                    filled += n;
                }
                if (filled == carried.length) {
                    break; // the file shrank while being read
                }
                position += filled - carried.length;
                int lineStart = 0;
                for (int i = 0; i < filled; i++) {
                    if (chunk[i] == '\n') {
                        countLine(chunk, lineStart, i);
                        lineStart = i + 1;
                    }
                }
                carried = java.util.Arrays.copyOfRange(chunk, lineStart, filled);
                if (carried.length > MAX_LINE_BYTES) {
                    carried = new byte[0]; // a runaway line (no usage line is this long): skip it
                }
                offset = position - carried.length; // a partial last line is read again once it is complete
            }
            return true;
        }
    }

    private static long fingerprint(RandomAccessFile file, long size) throws IOException {
        if (size < FINGERPRINT_BYTES) {
            return 0; // a short head is still growing: not a fingerprint yet
        }
        byte[] head = new byte[FINGERPRINT_BYTES];
        file.seek(0);
        file.readFully(head);
        long hash = 0xCBF29CE484222325L;
        for (byte b : head) {
            hash = (hash ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return hash;
    }

    private void countLine(byte[] bytes, int start, int end) {
        if (!contains(bytes, start, end, USAGE)) {
            return; // most lines carry no usage: skip them without parsing
        }
        try {
            var reader = new JsonReader(java.util.Arrays.copyOfRange(bytes, start, end));
            if (!reader.beginObject()) {
                return;
            }
            String type = null;
            String requestId = null;
            String messageId = null;
            long lineTokens = -1;
            for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
                switch (key) {
                    case "type" -> type = reader.stringOrNull();
                    case "requestId" -> requestId = reader.stringOrNull();
                    case "message" -> {
                        if (reader.beginObject()) {
                            for (String m = reader.nextKey(); m != null; m = reader.nextKey()) {
                                switch (m) {
                                    case "id" -> messageId = reader.stringOrNull();
                                    case "usage" -> lineTokens = usage(reader);
                                    default -> reader.skipValue();
                                }
                            }
                        }
                    }
                    default -> reader.skipValue();
                }
            }
            if (lineTokens < 0 || !"assistant".equals(type)) {
                return;
            }
            if (messageId != null || requestId != null) {
                if (!counted.add(hash(messageId == null ? "" : messageId, requestId == null ? "" : requestId))) {
                    return;
                }
            }
            tokens += lineTokens;
        } catch (JsonReader.Malformed e) {
            // a damaged line counts nothing; the rest of the transcript still does
        }
    }

    private static long usage(JsonReader reader) {
        long total = 0;
        boolean any = false;
        if (reader.beginObject()) {
            for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
                switch (key) {
                    case "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens" -> {
                        double value = reader.numberOrNaN();
                        if (value >= 0 && value < 1e12) {
                            total += (long) value;
                            any = true;
                        }
                    }
                    default -> reader.skipValue();
                }
            }
        }
        return any ? total : -1;
    }

    private static boolean contains(byte[] bytes, int start, int end, byte[] needle) {
        outer:
        for (int i = start; i <= end - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (bytes[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static long hash(String a, String b) {
        long hash = 0xCBF29CE484222325L;
        for (int i = 0; i < a.length(); i++) {
            hash = (hash ^ a.charAt(i)) * 0x100000001B3L;
        }
        hash = (hash ^ 0xFFFF) * 0x100000001B3L;
        for (int i = 0; i < b.length(); i++) {
            hash = (hash ^ b.charAt(i)) * 0x100000001B3L;
        }
        return hash;
    }

    /** Cache layout: magic, offset, fingerprint, tokens, key count (int), keys; big-endian. */
    private static TranscriptEstimate load(File cache) {
        var estimate = new TranscriptEstimate();
        try {
            byte[] bytes = Io.read(cache);
            if (bytes.length < 36 || Io.getLong(bytes, 0) != CACHE_MAGIC) {
                return estimate;
            }
            int keys = (int) Io.getLong(bytes, 32);
            if (keys < 0 || bytes.length != 40 + 8L * keys) {
                return estimate; // damaged: start over
            }
            estimate.offset = Io.getLong(bytes, 8);
            estimate.fingerprint = Io.getLong(bytes, 16);
            estimate.tokens = Io.getLong(bytes, 24);
            for (int i = 0; i < keys; i++) {
                estimate.counted.add(Io.getLong(bytes, 40 + 8 * i));
            }
            return estimate;
        } catch (FileNotFoundException e) {
            return estimate;
        } catch (IOException e) {
            return new TranscriptEstimate();
        }
    }

    private void save(File cache) throws IOException {
        byte[] bytes = new byte[40 + 8 * counted.size()];
        Io.putLong(bytes, 0, CACHE_MAGIC);
        Io.putLong(bytes, 8, offset);
        Io.putLong(bytes, 16, fingerprint);
        Io.putLong(bytes, 24, tokens);
        Io.putLong(bytes, 32, counted.size());
        int at = 40;
        for (long key : counted) {
            Io.putLong(bytes, at, key);
            at += 8;
        }
        Io.replace(cache, bytes);
    }
}
