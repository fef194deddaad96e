package dev.tokenmetrics.receiver.otlp;

/** A request body that cannot be decoded; its message is safe to return to the client. */
public final class MalformedRequestException extends Exception {
    public MalformedRequestException(String message) {
        super(message, null, false, false); // client errors are routine: no stack trace
    }
}
