package dev.tokenmetrics.receiver.usage;

/**
 * A {@code claude_code.api_request} log event; {@code eventKey} tells a retried export's copy from a new event.
 * {@code call} holds what the event says of the call, for the ledger; null in journal records written before it was
 * kept.
 */
public record ApiRequest(String sessionId, String model, long timeNanos, long eventKey, ApiCall call) {

    public ApiRequest(String sessionId, String model, long timeNanos, long eventKey) {
        this(sessionId, model, timeNanos, eventKey, null);
    }
}
