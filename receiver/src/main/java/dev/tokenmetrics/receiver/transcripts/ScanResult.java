package dev.tokenmetrics.receiver.transcripts;

import java.nio.file.Path;
import java.util.List;

/**
 * One scan's outcome.
 *
 * @param state the state to hand to the next scan (once what the updates hold has been stored)
 * @param updates the transcripts that had something new, by path
 * @param removed transcripts in the previous state that are gone (Claude Code deletes old ones): no longer tracked;
 *     what was taken from them is the caller's to keep
 * @param failed transcripts that could not be listed, stat'ed or read this time; their previous state is kept, so
 *     the next scan tries again
 * @param filesSeen transcripts found
 * @param filesOpened transcripts opened to read: 0 when nothing changed
 */
public record ScanResult(
        ScanState state, List<TranscriptUpdate> updates, List<Path> removed, List<Path> failed, long filesSeen,
        long filesOpened) {

    public ScanResult {
        updates = List.copyOf(updates);
        removed = List.copyOf(removed);
        failed = List.copyOf(failed);
    }

    public long bytesRead() {
        return updates.stream().mapToLong(update -> update.chunk().bytesRead()).sum();
    }
}
