package dev.tokenmetrics.receiver.pricing;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Keeps the prices current: the shipped table with the user's price file over it (read again when it changes; a
 * malformed one is logged once and ignored), and the prices learned from the exact costs {@linkplain #observe
 * observed}. Not thread-safe: its owner's thread (the ledger writer's) alone uses it.
 */
public final class PriceBook {

    private static final Logger LOG = Logger.getLogger(PriceBook.class.getName());

    private final PriceTable shipped;
    private final Path userFile;
    private final PriceLearner learner = new PriceLearner();
    private Reading lastReading = new Reading("", null);
    private PriceTable table;
    private Map<String, Price> learned = Map.of();
    private boolean observedSinceLearning;

    public PriceBook(PriceTable shipped, Path userFile) {
        this.shipped = Objects.requireNonNull(shipped, "shipped");
        this.userFile = Objects.requireNonNull(userFile, "userFile");
        this.table = shipped;
    }

    /** A request of the model that cost exactly {@code costUsd} (telemetry's), to learn prices from. */
    public void observe(String model, TokenCounts tokens, BigDecimal costUsd) {
        learner.add(model, tokens, costUsd);
        observedSinceLearning = true;
    }

    /** The prices now: the user's file read again if it changed, prices learned again if anything was observed. */
    public Prices current() {
        readUserFile();
        if (observedSinceLearning) {
            Map<String, Price> now = learner.learned();
            if (!now.equals(learned)) {
                LOG.info("prices: learned from telemetry for " + new TreeSet<>(now.keySet()));
            }
            learned = now;
            observedSinceLearning = false;
        }
        return new Prices(learned, table);
    }

    /** What reading the user's file gave: its text ("" when there is none), or why it could not be read. */
    private record Reading(String text, String problem) {
    }

    private Reading read() {
        try {
            return new Reading(Files.readString(userFile, StandardCharsets.UTF_8), null);
        } catch (NoSuchFileException e) {
            return new Reading("", null);
        } catch (IOException e) {
            return new Reading(null, "cannot read it (" + e + ")");
        }
    }

    private void readUserFile() {
        Reading reading = read();
        if (reading.equals(lastReading)) {
            return; // unchanged: nothing to do, nothing to log again
        }
        lastReading = reading;
        table = shipped;
        if (reading.problem() != null) {
            LOG.warning("prices: ignoring " + userFile + ": " + reading.problem());
        } else if (!reading.text().isEmpty()) {
            try {
                table = shipped.overriddenBy(PriceTable.parse(reading.text()));
                LOG.info("prices: using " + userFile);
            } catch (IllegalArgumentException e) {
                LOG.warning("prices: ignoring " + userFile + ": " + e.getMessage());
            }
        }
    }
}
