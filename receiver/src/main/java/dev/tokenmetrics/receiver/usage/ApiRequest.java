package dev.tokenmetrics.receiver.usage;

/** A {@code claude_code.api_request} log event; {@code eventKey} tells a retried export's copy from a new event. */
public record ApiRequest(String sessionId, String model, long timeNanos, long eventKey) {
}
