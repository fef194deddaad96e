package dev.tokenmetrics.receiver.transcripts;

import java.nio.file.Path;
import java.util.List;

/**
 * What one read of a transcript found between {@code fromOffset} and {@code resumeOffset}.
 *
 * @param requests one per message, in order of first appearance, each with the values of its last line in this
 *     read (a message still streaming when the read ended shows up again, grown, in the next one)
 * @param costStates in file order
 * @param lines complete lines read, blank ones included
 * @param malformed lines skipped as bad: a would-be request or cost state that is not JSON, lacks a field or has
 *     one of the wrong type; any other line that is not shaped like an object (such lines are not parsed); a line
 *     longer than the reader takes
 * @param resumeOffset where the next read starts: just after the last complete line ({@code '\n'} included)
 */
public record TranscriptChunk(
        Path transcript, long fromOffset, long resumeOffset, List<TranscriptRequest> requests,
        List<CostState> costStates, long lines, long malformed) {

    public TranscriptChunk {
        requests = List.copyOf(requests);
        costStates = List.copyOf(costStates);
    }

    public long bytesRead() {
        return resumeOffset - fromOffset;
    }
}
