package dev.tokenmetrics.statusline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranscriptEstimateTest {

    @TempDir
    Path dir;

    private Path transcript() {
        return dir.resolve("session.jsonl");
    }

    private void append(String lines) throws IOException {
        Files.writeString(transcript(), lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private long estimate() {
        return TranscriptEstimate.tokens(transcript().toFile(), dir.resolve("cache").toFile());
    }

    @Test
    void sumsEachAssistantMessagesUsageOnce() throws IOException {
        append(Transcripts.user("hi")
                + Transcripts.assistant("msg_1", "req_1", 3, 10, 5000, 200)     // 5,213
                + Transcripts.assistant("msg_1", "req_1", 3, 10, 5000, 200)     // same message, second content block
                + Transcripts.assistant("msg_2", "req_2", 1, 400, 5200, 0)      // 5,601
                + "{\"type\":\"summary\",\"summary\":\"not usage\"}\n"
                + Transcripts.assistant("msg_3", "req_3", 2, 7, 0, 0));         // 9
        assertEquals(5213 + 5601 + 9, estimate());
    }

    @Test
    void readsOnlyWhatWasAppendedAndDedupesAcrossRenders() throws IOException {
        append(Transcripts.assistant("msg_1", "req_1", 100, 10, 0, 0));
        assertEquals(110, estimate());
        append(Transcripts.assistant("msg_1", "req_1", 100, 10, 0, 0) // the same message again, in a later render
                + Transcripts.assistant("msg_2", "req_2", 50, 5, 0, 0));
        assertEquals(165, estimate());
        assertEquals(165, estimate(), "nothing appended, nothing changes");
    }

    @Test
    void aLineStillBeingWrittenIsCountedOnceItIsComplete() throws IOException {
        String line = Transcripts.assistant("msg_1", "req_1", 100, 10, 0, 0);
        append(line.substring(0, 40));
        assertEquals(0, estimate());
        append(line.substring(40));
        assertEquals(110, estimate());
    }

    @Test
    void aRewrittenTranscriptIsCountedAfresh() throws IOException {
        append(Transcripts.assistant("msg_1", "req_1", 1000, 0, 0, 0).repeat(1) + Transcripts.user("x".repeat(300)));
        assertEquals(1000, estimate());
        Files.delete(transcript());
        append(Transcripts.assistant("msg_9", "req_9", 7, 0, 0, 0));
        assertEquals(7, estimate());
    }

    @Test
    void damagedLinesCountNothingAndTheRestStillCounts() throws IOException {
        append("{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":5\n"
                + "not json at all \"usage\"\n"
                + Transcripts.assistant("msg_1", "req_1", 10, 0, 0, 0));
        assertEquals(10, estimate());
    }

    @Test
    void aCorruptCacheIsRebuilt() throws IOException {
        append(Transcripts.assistant("msg_1", "req_1", 10, 0, 0, 0));
        assertEquals(10, estimate());
        try (var files = Files.list(dir.resolve("cache"))) {
            for (Path cache : files.toList()) {
                Files.write(cache, new byte[] {1, 2, 3});
            }
        }
        assertEquals(10, estimate());
    }

    @Test
    void aTranscriptLargerThanOneReadChunkIsSummedAcrossChunkBoundaries() throws IOException {
        String line = Transcripts.assistant("msg_x", "req_x", 1, 0, 0, 0);
        var lines = new StringBuilder();
        int count = (5 << 20) / line.length() + 10; // more than one 4 MiB chunk
        for (int i = 0; i < count; i++) {
            lines.append(line.replace("msg_x", "msg_" + i));
        }
        append(lines.toString());
        assertEquals(count, estimate());
    }

    @Test
    void aMissingTranscriptIsUnknown() {
        assertEquals(-1, estimate());
    }

    @Test
    void fiveThousandMessagesAreSummedExactly() throws IOException {
        var lines = new StringBuilder();
        long expected = 0;
        for (int i = 0; i < 5000; i++) {
            lines.append(Transcripts.user("prompt " + i));
            lines.append(Transcripts.assistant("msg_" + i, "req_" + i, i, 2 * i, 3, 4));
            lines.append(Transcripts.assistant("msg_" + i, "req_" + i, i, 2 * i, 3, 4)); // tool_use block repeats it
            expected += i + 2L * i + 3 + 4;
        }
        append(lines.toString());
        assertEquals(expected, estimate());
        append(Transcripts.assistant("msg_new", "req_new", 1, 1, 1, 1));
        assertEquals(expected + 4, estimate());
    }
}
