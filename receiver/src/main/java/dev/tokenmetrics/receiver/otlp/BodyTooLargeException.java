package dev.tokenmetrics.receiver.otlp;

/** A request body over the configured limit, on the wire or once decompressed. */
public final class BodyTooLargeException extends Exception {
    public BodyTooLargeException(String message) {
        super(message, null, false, false);
    }
}
