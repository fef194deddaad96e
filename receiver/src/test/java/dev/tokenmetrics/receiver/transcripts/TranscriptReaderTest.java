package dev.tokenmetrics.receiver.transcripts;

import static dev.tokenmetrics.receiver.transcripts.TranscriptLines.append;
import static dev.tokenmetrics.receiver.transcripts.TranscriptLines.apiRequest;
import static dev.tokenmetrics.receiver.transcripts.TranscriptLines.costState;
import static dev.tokenmetrics.receiver.transcripts.TranscriptLines.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.transcripts.CostState.ModelTotals;
import dev.tokenmetrics.receiver.transcripts.TranscriptLines.Assistant;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One transcript file, read from an offset to its end: what becomes a request, a cost state, or a counted miss. */
class TranscriptReaderTest {

    private static final String SESSION = "2bcf5674-05a7-43e6-80e3-3a912c168e4f";

    @TempDir
    Path dir;

    private final TranscriptReader reader = new TranscriptReader();

    private Path transcript() {
        return dir.resolve("-home-user-proj").resolve(SESSION + ".jsonl");
    }

    private static long bytes(String... lines) {
        return String.join("", lines).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void anAssistantLineIsARequestWithItsSessionPlaceModelAndTokens() throws IOException {
        String prompt = user(SESSION, "say hi");
        String reply = Assistant.of(SESSION, "msg_1").tokens(1011, 41, 300, 20).cacheSplit(15, 5)
                .timestamp("2026-12-01T08:11:28.285Z").place("/home/user/proj", "feature/x").line();
        Path file = append(transcript(), prompt, reply);

        TranscriptChunk chunk = reader.read(file, 0);

        TranscriptRequest request = chunk.requests().get(0);
        assertEquals(List.of(new TranscriptRequest(SESSION, "req_msg_1", "msg_1", "claude-opus-5-5",
                Instant.parse("2026-12-01T08:11:28.285Z"), "/home/user/proj", "feature/x", "2.1.330", false, null,
                1011, 41, 300, 20, 15, 5, "standard", "standard", file, bytes(prompt))), chunk.requests());
        assertEquals("msg_1:req_msg_1", request.key());
        assertEquals(0, chunk.malformed());
        assertEquals(2, chunk.lines());
        assertEquals(Files.size(file), chunk.resumeOffset());
    }

    @Test
    void streamedLinesOfOneMessageBecomeOneRequestWithTheFinalUsageInFirstSeenOrder() throws IOException {
        Assistant streaming = Assistant.of(SESSION, "msg_1");
        String first = streaming.tokens(1011, 1, 300, 20).line();
        String other = Assistant.of(SESSION, "msg_0").line();
        String second = streaming.tokens(1011, 17, 300, 20).line();
        String last = streaming.tokens(1011, 41, 300, 20).line();
        Path file = append(transcript(), first, other, second, last);

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(List.of("msg_1", "msg_0"), chunk.requests().stream().map(TranscriptRequest::messageId).toList());
        TranscriptRequest merged = chunk.requests().get(0);
        assertEquals(41, merged.outputTokens());
        assertEquals(bytes(first, other, second), merged.offset(), "the offset of the line the values come from");
    }

    @Test
    void aMessageStreamedAcrossTwoReadsIsMergedByTheCallerByKeyTheLaterReadWinning() throws IOException {
        Assistant streaming = Assistant.of(SESSION, "msg_1");
        Path file = append(transcript(), streaming.tokens(1011, 1, 300, 20).line());
        TranscriptChunk before = reader.read(file, 0);
        append(file, streaming.tokens(1011, 41, 300, 20).line());
        TranscriptChunk after = reader.read(file, before.resumeOffset());

        Map<String, TranscriptRequest> ledger = new LinkedHashMap<>();
        for (TranscriptChunk chunk : List.of(before, after)) {
            chunk.requests().forEach(request -> ledger.put(request.key(), request));
        }

        assertEquals(1, ledger.size());
        assertEquals(41, ledger.get("msg_1:req_msg_1").outputTokens());
    }

    @Test
    void aResponseWithoutARequestIdHeaderHasANullRequestIdAndIsKeyedByItsMessageId() throws IOException {
        Path file = append(transcript(), Assistant.of(SESSION, "msg_1").requestId(null).line());

        TranscriptRequest request = reader.read(file, 0).requests().get(0);

        assertNull(request.requestId());
        assertEquals("msg_1", request.key());
    }

    @Test
    void aCostStateKeepsTheExactDecimalsWrittenAndTheTimeOfTheRequestItFollows() throws IOException {
        Path file = append(transcript(),
                Assistant.of(SESSION, "msg_1").timestamp("2026-12-01T08:11:28.285Z").line(),
                costState(SESSION, "0.005024000000000001", "claude-opus-5-5", "0.005024000000000001", 1011, 41, 300,
                        20));

        CostState state = reader.read(file, 0).costStates().get(0);

        assertEquals(new BigDecimal("0.005024000000000001"), state.totalCostUsd());
        assertEquals(Instant.parse("2026-12-01T08:11:28.285Z"), state.timestamp());
        assertEquals(Map.of("claude-opus-5-5", new ModelTotals(new BigDecimal("0.005024000000000001"), 1011, 41, 300,
                20)), state.models());
    }

    @Test
    void aRequestSeenOnlyInTheTranscriptCostsTheStepBetweenTwoConsecutiveCostStatesPerModel() throws IOException {
        String twoModels = "{\"type\":\"cost-state\",\"sessionId\":\"" + SESSION + "\",\"totalCostUSD\":0.015,"
                + "\"modelUsage\":{"
                + TranscriptLines.modelUsage("claude-opus-5-5", "0.014228000000000003", 3022, 83, 900, 60) + ","
                + TranscriptLines.modelUsage("claude-haiku-5", "0.000772", 500, 10, 0, 0) + "}}\n";
        Path file = append(transcript(),
                costState(SESSION, "0.005024000000000001", "claude-opus-5-5", "0.005024000000000001", 1011, 41, 300,
                        20),
                twoModels);
        List<CostState> states = reader.read(file, 0).costStates();

        Map<String, ModelTotals> first = states.get(0).stepSince(null);
        Map<String, ModelTotals> second = states.get(1).stepSince(states.get(0));

        assertEquals(Map.of("claude-opus-5-5", states.get(0).models().get("claude-opus-5-5")), first);
        assertEquals(Map.of(
                "claude-opus-5-5", new ModelTotals(new BigDecimal("0.009204000000000002"), 2011, 42, 600, 40),
                "claude-haiku-5", new ModelTotals(new BigDecimal("0.000772"), 500, 10, 0, 0)), second);
    }

    @Test
    void totalsThatShrankAreAFreshCountSoTheStepIsTheWholeOfTheLaterState() throws IOException {
        Path file = append(transcript(),
                costState(SESSION, "0.02", "claude-opus-5-5", "0.02", 4000, 100, 0, 0),
                costState(SESSION, "0.005", "claude-opus-5-5", "0.005", 1000, 40, 0, 0));
        List<CostState> states = reader.read(file, 0).costStates();

        assertEquals(states.get(1).models(), states.get(1).stepSince(states.get(0)));
    }

    @Test
    void linesOfOtherTypesYieldNothingAndAreNotMalformedWhateverTheirFieldsHold() throws IOException {
        Path file = append(transcript(),
                "{\"type\":\"queue-operation\",\"operation\":\"enqueue\",\"sessionId\":\"" + SESSION + "\"}\n",
                user(SESSION, "say hi"),
                apiRequest(SESSION, "38a43ec3", "claude-opus-5-5"),
                "{\"type\":\"summary\",\"summary\":\"greeting\",\"leafUuid\":\"x\"}\n",
                "{\"type\":\"attachment\",\"timestamp\":17,\"cwd\":[],\"message\":\"not an object\"}\n");

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(List.of(), chunk.requests());
        assertEquals(List.of(), chunk.costStates());
        assertEquals(0, chunk.malformed());
        assertEquals(5, chunk.lines());
    }

    @Test
    void aLineThatCannotBeARequestOrCostStateIsOnlyCheckedForAnObjectsShape() throws IOException {
        Path file = append(transcript(),
                "{\"type\":\"user\",\"message\":{\"content\":[unquoted words]}}\n",
                "{\"type\":\"user\",\"message\":{\"content\":\"cut off here\n",
                "[\"an array\"]\n");

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(2, chunk.malformed(), "not parsed, so the first passes; the others are no object's shape");
    }

    @Test
    void aSyntheticMessageIsNoApiRequest() throws IOException {
        Path file = append(transcript(), Assistant.of(SESSION, "4b9c").model("<synthetic>").tokens(0, 0, 0, 0).line());

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(List.of(), chunk.requests());
        assertEquals(0, chunk.malformed());
    }

    @Test
    void malformedLinesAreCountedAndSkippedAndTheLinesAroundThemStillRead() throws IOException {
        String good = Assistant.of(SESSION, "msg_1").line();
        String truncated = good.substring(0, good.length() / 2) + "\n";
        List<String> bad = List.of(
                "garbage that is not json\n",
                truncated,
                "[1,2,3]\n",
                "{\"type\":\"assistant\"} trailing\n",
                Assistant.of(SESSION, "msg_x").line().replace("\"input_tokens\":1011", "\"input_tokens\":\"1011\""),
                Assistant.of(SESSION, "msg_y").line().replace("\"output_tokens\":41", "\"output_tokens\":-41"),
                Assistant.of(SESSION, "msg_z").line().replace("\"input_tokens\":1011", "\"input_tokens\":1e3"),
                Assistant.of(SESSION, "msg_w").timestamp("yesterday").line(),
                Assistant.of(SESSION, "msg_v").line().replace("\"sessionId\":", "\"sessionId\":5,\"x\":"),
                "{\"type\":\"assistant\",\"message\":5,\"sessionId\":\"s\",\"timestamp\":\"2026-12-01T08:11:28Z\"}\n",
                "{\"type\":\"assistant\",\"sessionId\":\"s\",\"timestamp\":\"2026-12-01T08:11:28Z\"}\n",
                "{\"type\":\"cost-state\",\"sessionId\":\"s\",\"totalCostUSD\":\"0.1\"}\n",
                "{\"type\":\"cost-state\",\"sessionId\":\"s\",\"totalCostUSD\":0.1,\"modelUsage\":{\"m\":{\"costUSD\":null}}}\n",
                "\u0000\u0001\u00ff\n");
        String[] lines = new String[bad.size() + 2];
        lines[0] = good;
        for (int i = 0; i < bad.size(); i++) {
            lines[i + 1] = bad.get(i);
        }
        lines[lines.length - 1] = Assistant.of(SESSION, "msg_2").line();
        Path file = append(transcript(), lines);

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(bad.size(), chunk.malformed());
        assertEquals(List.of("msg_1", "msg_2"), chunk.requests().stream().map(TranscriptRequest::messageId).toList());
        assertEquals(Files.size(file), chunk.resumeOffset());
    }

    @Test
    void aTenMegabyteLineIsReadThroughWhetherItIsSkippedContentOrTheRequestItself() throws IOException {
        String huge = "x".repeat(10 << 20);
        Path file = append(transcript(), user(SESSION, huge), Assistant.of(SESSION, "msg_1").text(huge).line(),
                Assistant.of(SESSION, "msg_2").line());

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(List.of("msg_1", "msg_2"), chunk.requests().stream().map(TranscriptRequest::messageId).toList());
        assertEquals(0, chunk.malformed());
    }

    @Test
    void aDeeplyNestedToolInputOrALongKeyInTheContentDoesNotCostTheRequest() throws IOException {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        String longKey = "{\"" + "k".repeat(60_000) + "\":1}";
        String line = Assistant.of(SESSION, "msg_1").line().replace("\"content\":[",
                "\"content\":[{\"type\":\"tool_use\",\"input\":" + deep + "},{\"input\":" + longKey + "},");
        Path file = append(transcript(), line);

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(0, chunk.malformed());
        assertEquals(1, chunk.requests().size());
    }

    @Test
    void aLineLongerThanTheReaderTakesIsCountedAndSkippedWithoutHoldingIt() throws IOException {
        TranscriptReader small = new TranscriptReader(4096);
        String tooLong = Assistant.of(SESSION, "msg_big").text("y".repeat(20_000)).line();
        Path file = append(transcript(), Assistant.of(SESSION, "msg_1").line(), tooLong,
                Assistant.of(SESSION, "msg_2").line());

        TranscriptChunk chunk = small.read(file, 0);

        assertEquals(1, chunk.malformed());
        assertEquals(List.of("msg_1", "msg_2"), chunk.requests().stream().map(TranscriptRequest::messageId).toList());
    }

    @Test
    void aLongLineStillBeingWrittenWaitsAtItsStart() throws IOException {
        TranscriptReader small = new TranscriptReader(4096);
        String first = Assistant.of(SESSION, "msg_1").line();
        Path file = append(transcript(), first, "{\"type\":\"user\",\"content\":\"" + "z".repeat(10_000));

        TranscriptChunk chunk = small.read(file, 0);

        assertEquals(bytes(first), chunk.resumeOffset());
    }

    @Test
    void aLastLineWithoutItsNewlineIsLeftForTheNextReadWhichReadsOnlyWhatFollows() throws IOException {
        String first = Assistant.of(SESSION, "msg_1").line();
        String second = Assistant.of(SESSION, "msg_2").line();
        int cut = second.length() - 30;
        Path file = append(transcript(), first, second.substring(0, cut));

        TranscriptChunk before = reader.read(file, 0);
        append(file, second.substring(cut), Assistant.of(SESSION, "msg_3").line());
        TranscriptChunk after = reader.read(file, before.resumeOffset());

        assertEquals(List.of("msg_1"), before.requests().stream().map(TranscriptRequest::messageId).toList());
        assertEquals(bytes(first), before.resumeOffset());
        assertEquals(0, before.malformed(), "a line still being written is not malformed");
        assertEquals(List.of("msg_2", "msg_3"), after.requests().stream().map(TranscriptRequest::messageId).toList());
        assertEquals(2, after.lines(), "nothing read twice");
        assertEquals(Files.size(file), after.resumeOffset());
    }

    @Test
    void aReadStopsAtTheLimitTheCallerSawEvenIfTheFileHasGrownSince() throws IOException {
        String first = Assistant.of(SESSION, "msg_1").line();
        Path file = append(transcript(), first, Assistant.of(SESSION, "msg_2").line());

        TranscriptChunk chunk = reader.read(file, 0, bytes(first) + 10);

        assertEquals(List.of("msg_1"), chunk.requests().stream().map(TranscriptRequest::messageId).toList());
        assertEquals(bytes(first), chunk.resumeOffset());
    }

    @Test
    void timestampsAreReadInClaudeCodesFormAndAnyOtherIsoInstantAndImpossibleOnesAreMalformed() throws IOException {
        List<String> good = List.of("2026-12-01T08:11:28.285Z", "2024-02-29T23:59:59.999Z", "1970-01-01T00:00:00.000Z",
                "2026-12-01T08:11:28Z", "2026-12-01T08:11:28.123456789Z", "2026-12-01T09:11:28.285+01:00");
        List<String> bad = List.of("2026-13-01T08:11:28.285Z", "2025-02-29T08:11:28.285Z", "2026-12-01T24:11:28.285Z",
                "2026-12-01T08:60:28.285Z", "2026-12-01T08:11:28.28xZ", "2026-12-01 08:11:28.285Z");
        Path file = transcript();
        for (int i = 0; i < good.size(); i++) {
            append(file, Assistant.of(SESSION, "msg_" + i).timestamp(good.get(i)).line());
        }
        for (String timestamp : bad) {
            append(file, Assistant.of(SESSION, "msg_bad").timestamp(timestamp).line());
        }

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(good.stream().map(text -> OffsetDateTime.parse(text).toInstant()).toList(),
                chunk.requests().stream().map(TranscriptRequest::timestamp).toList());
        assertEquals(bad.size(), chunk.malformed());
    }

    @Test
    void theWordAtATimeNewlineSearchFindsTheFirstNewlineWhereverItIsAndWhateverSurroundsIt() {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                // newlines, their neighbours 0x09/0x0B, 0x8A (newline with the high bit) and anything else
                int kind = random.nextInt(6);
                bytes[i] = (byte) (kind == 0 ? '\n' : kind == 1 ? 0x09 : kind == 2 ? 0x0B : kind == 3 ? 0x8A
                        : random.nextInt(256));
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int to = from + random.nextInt(bytes.length - from + 1);
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (bytes[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertEquals(expected, Newlines.indexOf(bytes, from, to), () -> java.util.Arrays.toString(bytes));
        }
    }

    @Test
    void linesOfEveryShortLengthAreCutAtTheirNewlines() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int length = 0; length < 20; length++) {
            lines.append(" ".repeat(length)).append('\n');
        }
        Path file = append(transcript(), lines.toString());

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(20, chunk.lines());
        assertEquals(0, chunk.malformed());
        assertEquals(Files.size(file), chunk.resumeOffset());
    }

    @Test
    void blankLinesAndWindowsLineEndsAreNoHarm() throws IOException {
        String crlf = Assistant.of(SESSION, "msg_1").line().replace("\n", "\r\n");
        Path file = append(transcript(), "\n", "   \n", crlf);

        TranscriptChunk chunk = reader.read(file, 0);

        assertEquals(1, chunk.requests().size());
        assertEquals(0, chunk.malformed());
        assertEquals(3, chunk.lines());
    }

    @Test
    void unicodeInPathsBranchesAndDirectoriesSurvivesExactly() throws IOException {
        Path file = append(dir.resolve("-home-zoë-프로젝트 ✓").resolve(SESSION + ".jsonl"),
                Assistant.of(SESSION, "msg_1").place("/home/zoë/프로젝트 ✓", "feature/ünïcode-🚀").line());

        TranscriptRequest request = reader.read(file, 0).requests().get(0);

        assertEquals("/home/zoë/프로젝트 ✓", request.cwd());
        assertEquals("feature/ünïcode-🚀", request.gitBranch());
        assertEquals(file, request.transcript());
    }

    @Test
    void aSubagentLineIsMarkedAsASidechainWithItsAgentId() throws IOException {
        Path file = append(dir.resolve("agent-a6fb.jsonl"), Assistant.of(SESSION, "msg_3").subagent("a6fb").line());

        TranscriptRequest request = reader.read(file, 0).requests().get(0);

        assertTrue(request.isSidechain());
        assertEquals("a6fb", request.agentId());
    }

    @Test
    void readingAtTheEndFindsNothingAndStaysThere() throws IOException {
        Path file = append(transcript(), Assistant.of(SESSION, "msg_1").line());

        TranscriptChunk chunk = reader.read(file, Files.size(file));

        assertEquals(List.of(), chunk.requests());
        assertEquals(0, chunk.lines());
        assertEquals(Files.size(file), chunk.resumeOffset());
        assertFalse(chunk.bytesRead() > 0);
    }
}
