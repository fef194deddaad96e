package dev.tokenmetrics.receiver.transcripts;

import static dev.tokenmetrics.receiver.transcripts.TranscriptLines.append;
import static dev.tokenmetrics.receiver.transcripts.TranscriptLines.costState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.transcripts.TranscriptLines.Assistant;
import dev.tokenmetrics.receiver.transcripts.TranscriptUpdate.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A walk over Claude Code's projects directory that reads each transcript's new lines once. */
class TranscriptScannerTest {

    private static final String SESSION = "3a703c71-32e7-43f4-b560-65a852e388b4";

    @TempDir
    Path home;

    private Path projects() {
        return home.resolve(".claude").resolve("projects");
    }

    private Path session() {
        return projects().resolve("-home-user-proj").resolve(SESSION + ".jsonl");
    }

    private Path subagent() {
        return projects().resolve("-home-user-proj").resolve(SESSION).resolve("subagents").resolve("agent-a6fb.jsonl");
    }

    private final TranscriptReader reader = new TranscriptReader();

    private TranscriptScanner scanner() {
        return new TranscriptScanner(projects(), reader);
    }

    /** A scan with what its sink was given. */
    private record Scanned(List<TranscriptUpdate> updates, ScanResult result) {
        ScanState state() {
            return result.state();
        }

        List<Path> removed() {
            return result.removed();
        }

        List<Path> failed() {
            return result.failed();
        }

        long filesSeen() {
            return result.filesSeen();
        }

        long filesOpened() {
            return result.filesOpened();
        }
    }

    private static Scanned scan(TranscriptScanner scanner, ScanState state) {
        List<TranscriptUpdate> updates = new ArrayList<>();
        ScanResult result = scanner.scan(state, updates::add);
        return new Scanned(updates, result);
    }

    private static List<String> messageIds(TranscriptUpdate update) {
        return update.chunk().requests().stream().map(TranscriptRequest::messageId).toList();
    }

    @Test
    void findsSessionAndSubagentTranscriptsAndMarksTheSubagentsOnly() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line(), Assistant.of(SESSION, "msg_2").line());
        append(subagent(), Assistant.of(SESSION, "msg_3").subagent("a6fb").line());
        append(subagent().resolveSibling("agent-a6fb.meta.json"), "{\"agentType\":\"general-purpose\"}\n");

        Scanned result = scan(scanner(), ScanState.EMPTY);

        assertEquals(2, result.filesSeen());
        assertEquals(List.of(session(), subagent()),
                result.updates().stream().map(TranscriptUpdate::transcript).toList());
        TranscriptUpdate main = result.updates().get(0);
        TranscriptUpdate agent = result.updates().get(1);
        assertEquals(Kind.NEW, main.kind());
        assertFalse(main.subagent());
        assertTrue(agent.subagent());
        assertEquals(List.of("msg_3"), messageIds(agent));
        assertTrue(agent.chunk().requests().get(0).isSidechain());
        assertEquals("a6fb", agent.chunk().requests().get(0).agentId());
    }

    @Test
    void aRescanReadsOnlyTheLinesAppendedSinceNothingTwice() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line(),
                costState(SESSION, "0.005", "claude-opus-5-5", "0.005", 1011, 41, 300, 20));
        Scanned first = scan(scanner(), ScanState.EMPTY);
        long readTo = first.state().files().get(0).offset();
        append(session(), Assistant.of(SESSION, "msg_2").line(),
                costState(SESSION, "0.014", "claude-opus-5-5", "0.014", 3022, 83, 900, 60));

        Scanned second = scan(scanner(), first.state());

        TranscriptUpdate update = second.updates().get(0);
        assertEquals(Kind.APPENDED, update.kind());
        assertFalse(update.replacesEarlierRows());
        assertEquals(readTo, update.chunk().fromOffset());
        assertEquals(List.of("msg_2"), messageIds(update));
        assertEquals(1, update.chunk().costStates().size());
        assertEquals(2, update.chunk().lines());
        assertEquals(Files.size(session()), second.state().files().get(0).offset());
    }

    @Test
    void aPartialLastLineWaitsForTheScanThatSeesItsNewline() throws IOException {
        String second = Assistant.of(SESSION, "msg_2").line();
        append(session(), Assistant.of(SESSION, "msg_1").line(), second.substring(0, 100));
        Scanned first = scan(scanner(), ScanState.EMPTY);
        Scanned stillPartial = scan(scanner(), first.state());
        append(session(), second.substring(100));

        Scanned done = scan(scanner(), stillPartial.state());

        assertEquals(List.of("msg_1"), messageIds(first.updates().get(0)));
        assertEquals(0, first.updates().get(0).chunk().malformed());
        assertEquals(List.of(), stillPartial.updates());
        assertEquals(List.of("msg_2"), messageIds(done.updates().get(0)));
    }

    @Test
    void aRescanOfAnUnchangedHistoryOpensNoFile() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line());
        append(subagent(), Assistant.of(SESSION, "msg_3").subagent("a6fb").line());
        Scanned first = scan(scanner(), ScanState.EMPTY);
        // the same bytes count, identity and time, other content: only a scan that reads contents could notice
        FileTime modified = Files.getLastModifiedTime(session());
        byte[] garbage = "#".repeat((int) Files.size(session())).getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(session(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(garbage), 0);
        }
        Files.setLastModifiedTime(session(), modified);

        Scanned again = scan(scanner(), first.state());

        assertEquals(2, again.filesSeen());
        assertEquals(0, again.filesOpened());
        assertEquals(List.of(), again.updates());
        assertEquals(first.state(), again.state());
    }

    @Test
    void readingOnSeveralThreadsGivesWhatOneThreadGivesInTheSameOrder() throws IOException {
        for (int i = 0; i < 7; i++) {
            append(projects().resolve("-p" + (i % 3)).resolve("s" + i + ".jsonl"),
                    Assistant.of("s" + i, "msg_" + i + "a").line(), Assistant.of("s" + i, "msg_" + i + "b").line());
        }
        Scanned one = scan(scanner(), ScanState.EMPTY);

        Scanned three = scan(new TranscriptScanner(projects(), reader, 3), ScanState.EMPTY);

        assertEquals(7, three.updates().size());
        assertEquals(one.updates(), three.updates());
        assertEquals(one.state(), three.state());
    }

    @Test
    void aSinkThatFailsEndsTheScanWithItsExceptionOnOneThreadOrSeveral() throws IOException {
        for (int i = 0; i < 5; i++) {
            append(projects().resolve("-p").resolve("s" + i + ".jsonl"), Assistant.of("s" + i, "msg_" + i).line());
        }
        IllegalStateException full = new IllegalStateException("disk full");

        for (int threads : new int[] {1, 3}) {
            List<Path> given = new ArrayList<>();
            TranscriptScanner scanner = new TranscriptScanner(projects(), reader, threads);
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> scanner.scan(
                    ScanState.EMPTY, update -> {
                        given.add(update.transcript());
                        if (given.size() == 2) {
                            throw full;
                        }
                    }));
            assertEquals(full, thrown);
            assertEquals(2, given.size());
        }
    }

    @Test
    void aTruncatedTranscriptIsReadAgainFromTheStartAndReportedAsReplacing() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line(), Assistant.of(SESSION, "msg_2").line());
        Scanned first = scan(scanner(), ScanState.EMPTY);
        Files.writeString(session(), Assistant.of(SESSION, "msg_9").line());

        Scanned second = scan(scanner(), first.state());

        TranscriptUpdate update = second.updates().get(0);
        assertEquals(Kind.REPLACED, update.kind());
        assertTrue(update.replacesEarlierRows());
        assertEquals(0, update.chunk().fromOffset());
        assertEquals(List.of("msg_9"), messageIds(update));
    }

    @Test
    void aTranscriptEmptiedIsReportedAsReplacingWithNothingAndAnEmptyNewOneIsNotReported() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line());
        Scanned first = scan(scanner(), ScanState.EMPTY);
        Files.writeString(session(), "");
        append(subagent(), "");

        Scanned second = scan(scanner(), first.state());

        assertEquals(1, second.updates().size());
        assertEquals(Kind.REPLACED, second.updates().get(0).kind());
        assertEquals(List.of(), second.updates().get(0).chunk().requests());
        assertEquals(2, second.state().files().size(), "the empty one is tracked all the same");
    }

    @Test
    void aTranscriptReplacedByAnotherFileIsReadAgainFromTheStartEvenIfLonger() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line());
        Scanned first = scan(scanner(), ScanState.EMPTY);
        Path other = append(home.resolve("rewritten.jsonl"), Assistant.of(SESSION, "msg_1").line(),
                Assistant.of(SESSION, "msg_2").line());
        Files.move(other, session(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        Scanned second = scan(scanner(), first.state());

        assertEquals(Kind.REPLACED, second.updates().get(0).kind());
        assertEquals(List.of("msg_1", "msg_2"), messageIds(second.updates().get(0)));
    }

    @Test
    void aTranscriptRewrittenInPlaceLongerThanBeforeIsReadAgainFromTheStart() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line());
        Scanned first = scan(scanner(), ScanState.EMPTY);
        String identity = first.state().files().get(0).identity();
        Files.writeString(session(), Assistant.of(SESSION, "msg_7").text("other words").line()
                + Assistant.of(SESSION, "msg_8").line()); // truncate and write: same inode

        Scanned second = scan(scanner(), first.state());

        assertEquals(identity, second.state().files().get(0).identity(), "the premise: same file");
        assertEquals(Kind.REPLACED, second.updates().get(0).kind());
        assertEquals(List.of("msg_7", "msg_8"), messageIds(second.updates().get(0)));
    }

    @Test
    void aDeletedTranscriptIsReportedRemovedAndNoLongerTracked() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line());
        append(subagent(), Assistant.of(SESSION, "msg_3").subagent("a6fb").line());
        Scanned first = scan(scanner(), ScanState.EMPTY);
        Files.delete(subagent());

        Scanned second = scan(scanner(), first.state());

        assertEquals(List.of(subagent()), second.removed());
        assertEquals(List.of(projects().relativize(session()).toString()),
                second.state().files().stream().map(FileState::path).toList());
    }

    @Test
    void aMissingProjectsDirectoryIsAnEmptyHistoryForANewStateAndAFailureForAKnownOne() throws IOException {
        Scanned fresh = scan(scanner(), ScanState.EMPTY);
        append(session(), Assistant.of(SESSION, "msg_1").line());
        ScanState known = scan(scanner(), ScanState.EMPTY).state();
        Path moved = Files.move(projects(), home.resolve("elsewhere"));

        Scanned unmounted = scan(scanner(), known);

        assertEquals(0, fresh.filesSeen());
        assertEquals(List.of(), fresh.failed());
        assertEquals(List.of(projects()), unmounted.failed());
        assertEquals(List.of(), unmounted.removed());
        assertEquals(known, unmounted.state());
        assertTrue(Files.isDirectory(moved));
    }

    @Test
    void otherFilesLinksAndDeeperLevelsAreNotTranscripts() throws IOException {
        append(session(), Assistant.of(SESSION, "msg_1").line());
        append(projects().resolve("-home-user-proj").resolve("notes.txt"), "x\n");
        append(projects().resolve("a").resolve("b").resolve("c").resolve("d").resolve("deep.jsonl"),
                Assistant.of(SESSION, "msg_d").line());
        Files.createSymbolicLink(projects().resolve("-home-user-proj").resolve("link.jsonl"), session());

        Scanned result = scan(scanner(), ScanState.EMPTY);

        assertEquals(List.of(session()), result.updates().stream().map(TranscriptUpdate::transcript).toList());
    }

    @Test
    void unicodeProjectDirectoriesAndBranchesComeThroughAndTheStateKeepsThem() throws IOException {
        Path transcript = projects().resolve("-home-zoë-프로젝트-✓").resolve(SESSION + ".jsonl");
        append(transcript, Assistant.of(SESSION, "msg_1").place("/home/zoë/프로젝트/✓", "fix/ünï-🚀").line());

        Scanned first = scan(scanner(), ScanState.EMPTY);
        Scanned again = scan(scanner(), ScanState.decode(first.state().encode()));

        TranscriptRequest request = first.updates().get(0).chunk().requests().get(0);
        assertEquals(transcript, request.transcript());
        assertEquals("fix/ünï-🚀", request.gitBranch());
        assertEquals(List.of(), again.updates());
        assertEquals(0, again.filesOpened());
    }

    @Test
    void theStateEncodesToTextAndBackUnchangedEvenWithTabsAndNewlinesInNames() {
        ScanState state = new ScanState(List.of(
                new FileState("b/x.jsonl", 10, 1_796_112_686_646_000_001L, "(dev=803,ino=42)", 9, 12345),
                new FileState("a\tb\\c\nd/✓.jsonl", 0, 0, "", 0, 0)));

        assertEquals(state, ScanState.decode(state.encode()));
        assertEquals("a\tb\\c\nd/✓.jsonl", state.files().get(0).path(), "sorted by path");
    }

    @Test
    void aStateThatIsNotOneIsRefusedWhole() {
        assertThrows(IllegalArgumentException.class, () -> ScanState.decode("hello"));
        assertThrows(IllegalArgumentException.class,
                () -> ScanState.decode("transcript-scan-state 1\n1\t2\tthree\t4\t\tx.jsonl\n"));
        assertThrows(IllegalArgumentException.class,
                () -> ScanState.decode("transcript-scan-state 1\n1\t2\t3\t4\t\\q\tx.jsonl\n"));
    }

    @Test
    void theProjectsDirectoryIsClaudeConfigDirsOrTheHomeDefault() {
        Path userHome = Path.of("/home/user");

        assertEquals(Path.of("/home/user/.claude/projects"), TranscriptScanner.defaultRoot(Map.of(), userHome));
        assertEquals(Path.of("/srv/claude/projects"),
                TranscriptScanner.defaultRoot(Map.of("CLAUDE_CONFIG_DIR", "/srv/claude"), userHome));
    }
}
