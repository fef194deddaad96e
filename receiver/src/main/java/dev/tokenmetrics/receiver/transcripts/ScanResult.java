package dev.tokenmetrics.receiver.transcripts;

import java.nio.file.Path;
import java.util.List;

/**
 * One scan's outcome besides the updates, which went to the scan's sink.
 *
 * @param state the state to hand to the next scan (once what the updates held has been stored)
 * @param removed transcripts in the previous state that are gone (Claude Code deletes old ones): no longer tracked;
 *     what was taken from them is the caller's to keep
 * @param failed transcripts that could not be listed, stat'ed or read this time; their previous state is kept, so
 *     the next scan tries again
 * @param filesSeen transcripts found
 * @param filesOpened transcripts opened to read: 0 when nothing changed
 * @param bytesRead bytes of complete lines read
 */
public record ScanResult(
        ScanState state, List<Path> removed, List<Path> failed, long filesSeen, long filesOpened, long bytesRead) {

    public ScanResult {
        removed = List.copyOf(removed);
        failed = List.copyOf(failed);
    }
}
