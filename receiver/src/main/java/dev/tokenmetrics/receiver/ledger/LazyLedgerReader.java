package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.store.Problems;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The ledger's read-only view ({@link LedgerReader}), opened on first use once the writer has the ledger open, and so
 * migrated to the current schema. Until then, and while it cannot be opened, there is none: the metrics file shows
 * telemetry alone and /metrics the receiver's health alone.
 */
public final class LazyLedgerReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LazyLedgerReader.class.getName());
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final Path database;
    private final BooleanSupplier ledgerOpen;
    private final Problems problems;
    private LedgerReader reader; // guarded by this
    private boolean closed; // guarded by this
    private long nextAttempt = System.nanoTime(); // guarded by this

    public LazyLedgerReader(Path database, BooleanSupplier ledgerOpen, Problems problems) {
        this.database = database;
        this.ledgerOpen = ledgerOpen;
        this.problems = problems;
    }

    /** The reader, or none yet. */
    public synchronized Optional<LedgerReader> get() {
        if (reader != null || closed || !ledgerOpen.getAsBoolean() || System.nanoTime() - nextAttempt < 0) {
            return Optional.ofNullable(reader);
        }
        try {
            reader = LedgerReader.open(database);
            if (problems.clear("ledger reader")) {
                LOG.info("ledger reader: open");
            }
        } catch (IOException e) {
            nextAttempt = System.nanoTime() + RETRY_AFTER.toNanos();
            if (problems.report("ledger reader", e.getMessage() + "; the metrics file and /metrics show telemetry"
                    + " alone")) {
                LOG.severe(e.getMessage() + "; the metrics file and /metrics show telemetry alone");
            }
        }
        return Optional.ofNullable(reader);
    }

    @Override
    public synchronized void close() throws SQLException {
        closed = true;
        if (reader != null) {
            reader.close();
        }
    }
}
