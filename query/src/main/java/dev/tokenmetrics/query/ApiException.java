package dev.tokenmetrics.query;

/** A dashboard API request that cannot be answered as asked: a bad parameter (400). One line for the user. */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    public ApiException(String message) {
        super(message);
    }
}
