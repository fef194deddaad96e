package dev.tokenmetrics.receiver.usage;

/** What an export yields: the batch to record, and the items rejected with the reason told to the client. */
public record Extraction(UsageBatch batch, long rejected, String errorMessage) {
}
