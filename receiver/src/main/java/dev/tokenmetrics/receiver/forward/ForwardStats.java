package dev.tokenmetrics.receiver.forward;

/**
 * What forwarding has done since the receiver started, and what waits (docs/FORWARDING.md): the endpoint without
 * credentials; exports queued (records and bytes on disk); exports sent, retries, exports dropped from a full queue,
 * exports given up on (refused by the upstream), items the upstream rejected in a partial success, exports the
 * queue could not write; the last error, or null.
 */
public record ForwardStats(String endpoint, long queuedExports, long queuedBytes, long sentExports, long retries,
                           long droppedExports, long failedExports, long rejectedItems, long queueWriteFailures,
                           String lastError) {
}
