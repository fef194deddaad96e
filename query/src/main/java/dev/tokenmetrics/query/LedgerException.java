package dev.tokenmetrics.query;

/** The ledger cannot be read: missing, not a ledger, damaged, or written by a newer program. One line for the user. */
public final class LedgerException extends Exception {
    private static final long serialVersionUID = 1L;

    public LedgerException(String message) {
        super(message);
    }
}
