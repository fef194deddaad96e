package dev.tokenmetrics.receiver.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prices in force: the shipped table, the user's file over it, and what was learned. */
class PriceBookTest {

    private static final Logger LOG = Logger.getLogger(PriceBook.class.getName());
    private static final String OPUS_AT_12 = "{\"models\": {\"claude-opus-4-1\": {\"input\": 12, \"output\": 60,"
            + " \"cache_read\": 1.2, \"cache_write_5m\": 15, \"cache_write_1h\": 24}}}";

    @TempDir
    Path dir;

    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        LOG.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        LOG.removeHandler(capture);
    }

    private Path userFile() {
        return dir.resolve("prices.json");
    }

    private List<String> warnings() {
        return logged.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
    }

    @Test
    void theUsersFileOverridesTheShippedTableAndIsReadAgainWhenItChanges() throws Exception {
        var book = new PriceBook(PriceTable.shipped(), userFile());
        assertEquals(Price.of("15", "75", "1.5", "18.75", "30"), book.current().table().lookup("claude-opus-4-1"));

        Files.writeString(userFile(), OPUS_AT_12);
        assertEquals(Price.of("12", "60", "1.2", "15", "24"), book.current().table().lookup("claude-opus-4-1"));
        assertEquals(Price.of("1", "5", "0.1", "1.25", "2"), book.current().table().lookup("claude-haiku-4-5"),
                "models the file does not name keep the shipped prices");

        Files.delete(userFile());
        assertEquals(Price.of("15", "75", "1.5", "18.75", "30"), book.current().table().lookup("claude-opus-4-1"));
        assertTrue(warnings().isEmpty(), warnings().toString());
    }

    @Test
    void aMalformedFileIsLoggedOnceInOneLineAndIgnored() throws Exception {
        var book = new PriceBook(PriceTable.shipped(), userFile());
        Files.writeString(userFile(), "{\"models\": {\"claude-opus-4-1\": {\"input\": 12}}}");
        Prices prices = book.current();
        book.current();
        book.current();
        assertEquals(PriceTable.shipped(), prices.table(), "the shipped table, untouched");
        assertEquals(1, warnings().size(), "once, not at every look: " + warnings());
        assertEquals("prices: ignoring " + userFile() + ": model \"claude-opus-4-1\": no \"output\"",
                warnings().get(0));

        Files.writeString(userFile(), OPUS_AT_12); // mended
        assertEquals(Price.of("12", "60", "1.2", "15", "24"), book.current().table().lookup("claude-opus-4-1"));
        assertEquals(1, warnings().size());
    }

    @Test
    void pricesAreLearnedFromWhatIsObserved() {
        var book = new PriceBook(PriceTable.shipped(), userFile());
        Price secret = Price.of("7", "35", "0.7", "8.75", "14");
        for (int i = 1; i <= 6; i++) {
            var tokens = new TokenCounts(1000L * i, 7L * i * i, 300L * (7 - i), 20L * i * i * i, i % 2);
            book.observe("claude-unreleased", tokens, secret.cost(tokens));
        }
        Prices prices = book.current();
        assertEquals(secret, prices.learned().get("claude-unreleased"));
        assertNull(prices.table().lookup("claude-unreleased"));
        Prices.Priced priced = prices.price("claude-unreleased", new TokenCounts(1_000_000, 0, 0, 0, 0), null);
        assertEquals(new Prices.Priced(new BigDecimal("7"), Prices.Basis.LEARNED), priced);
        assertNull(prices.price("claude-unreleased", new TokenCounts(1_000_000, 0, 0, 0, 0), "fast"),
                "fast mode is billed at other prices");
    }
}
