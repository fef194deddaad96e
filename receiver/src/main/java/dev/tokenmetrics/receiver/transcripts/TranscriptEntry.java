package dev.tokenmetrics.receiver.transcripts;

/** What a transcript line can yield: a request or a cost state (every other line yields nothing). */
public sealed interface TranscriptEntry permits TranscriptRequest, CostState {
}
