package dev.tokenmetrics.receiver.transcripts;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a scan read from one transcript.
 *
 * @param subagent the transcript is a subagent's ({@code <session>/subagents/agent-<id>.jsonl})
 * @param chunk what was read: from the start for {@link Kind#NEW} and {@link Kind#REPLACED}, else from where the
 *     last scan stopped
 */
public record TranscriptUpdate(Path transcript, Kind kind, boolean subagent, TranscriptChunk chunk) {

    public enum Kind {
        /** Not in the previous state: everything in it is new. */
        NEW,
        /** Grown since the last scan: the chunk holds only the lines appended. */
        APPENDED,
        /**
         * Shrunk, replaced (a new identity) or rewritten: the chunk is the whole file again, and what was taken from
         * this file before must be replaced by it, not added to.
         */
        REPLACED
    }

    public TranscriptUpdate {
        Objects.requireNonNull(transcript, "transcript");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(chunk, "chunk");
    }

    /** Whether the rows taken from this transcript before are to be dropped first. */
    public boolean replacesEarlierRows() {
        return kind == Kind.REPLACED;
    }
}
