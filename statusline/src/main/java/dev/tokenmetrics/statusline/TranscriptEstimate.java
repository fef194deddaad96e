package dev.tokenmetrics.statusline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;

/**
 * The session's tokens as Claude Code's transcript (JSONL) records them: each assistant message's {@code usage},
 * counted once per message id and request id (Claude Code writes one line per content block, repeating the usage).
 * Parsing is incremental: the byte offset reached, the sums and the counted keys are cached per transcript, so a
 * render reads only what was appended since the last one.
 */
final class TranscriptEstimate {

    private static final int CACHE_MAGIC = 0x54524331; // "TRC1"
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
    static long tokens(Path transcript, Path cacheDir) {
        try {
            Path cache = cacheDir == null ? null
                    : cacheDir.resolve("transcript-" + Long.toHexString(hash(transcript.toString(), "")) + ".bin");
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
    private boolean advance(Path transcript) throws IOException {
        try (FileChannel channel = FileChannel.open(transcript, StandardOpenOption.READ)) {
            long size = channel.size();
            long currentFingerprint = fingerprint(channel, size);
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
            while (position < size) {
                ByteBuffer chunk = ByteBuffer.allocate(carried.length + (int) Math.min(CHUNK_BYTES, size - position));
                chunk.put(carried);
                int read = 0;
                for (int n; chunk.hasRemaining() && (n = channel.read(chunk, position + read)) > 0; ) {
                    read += n;
                }
                if (read == 0) {
                    break; // the file shrank while being read
                }
                position += read;
                byte[] bytes = chunk.array();
                int lineStart = 0;
                for (int i = 0; i < chunk.position(); i++) {
                    if (bytes[i] == '\n') {
                        countLine(bytes, lineStart, i);
                        lineStart = i + 1;
                    }
                }
                carried = java.util.Arrays.copyOfRange(bytes, lineStart, chunk.position());
                if (carried.length > MAX_LINE_BYTES) {
                    carried = new byte[0]; // a runaway line (no usage line is this long): skip it
                }
                offset = position - carried.length; // a partial last line is read again once it is complete
            }
            return true;
        }
    }

    private static long fingerprint(FileChannel channel, long size) throws IOException {
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, FINGERPRINT_BYTES));
        while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
            // read the head
        }
        long hash = 0xCBF29CE484222325L;
        for (int i = 0; i < head.position(); i++) {
            hash = (hash ^ (head.get(i) & 0xFF)) * 0x100000001B3L;
        }
        return head.position() < FINGERPRINT_BYTES ? 0 : hash; // a short head is still growing: not a fingerprint yet
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

    private static TranscriptEstimate load(Path cache) {
        var estimate = new TranscriptEstimate();
        try (var in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(cache)))) {
            if (in.readInt() != CACHE_MAGIC) {
                return estimate;
            }
            estimate.offset = in.readLong();
            estimate.fingerprint = in.readLong();
            estimate.tokens = in.readLong();
            int keys = in.readInt();
            for (int i = 0; i < keys; i++) {
                estimate.counted.add(in.readLong());
            }
            return estimate;
        } catch (NoSuchFileException e) {
            return estimate;
        } catch (IOException e) {
            return new TranscriptEstimate(); // a damaged cache: start over
        }
    }

    private void save(Path cache) throws IOException {
        var bytes = new ByteArrayOutputStream(32 + counted.size() * 8);
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(CACHE_MAGIC);
            out.writeLong(offset);
            out.writeLong(fingerprint);
            out.writeLong(tokens);
            out.writeInt(counted.size());
            for (long key : counted) {
                out.writeLong(key);
            }
        }
        Files.createDirectories(cache.getParent());
        Path temporary = cache.resolveSibling(cache.getFileName() + "." + System.nanoTime() + ".tmp");
        Files.write(temporary, bytes.toByteArray());
        Files.move(temporary, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
