package dev.tokenmetrics.query.command;

/** The command line asks for something that does not exist or cannot be read (exit status 2). */
public final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageError(String message) {
        super(message);
    }
}
