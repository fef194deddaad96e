package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.Prices;
import dev.tokenmetrics.receiver.pricing.TokenCounts;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transcript rows priced again when prices become known or change; exact rows never. */
class LedgerPricingTest {

    private static final Instant T = Instant.parse("2026-12-01T08:11:28.253Z");
    private static final String NEW_MODEL = "claude-unreleased"; // in no table
    private static final Price NEW_MODEL_PRICE = Price.of("7", "35", "0.7", "8.75", "14");

    @TempDir
    Path dir;

    private int keys;

    private Path database() {
        return dir.resolve("usage.db");
    }

    private LedgerRow transcript(String model, TokenCounts tokens, String speed) {
        String key = "msg:t" + ++keys;
        return new LedgerRow(key, Source.TRANSCRIPT, "s1", T, model,
                new Tokens(tokens.input(), tokens.output(), tokens.cacheRead(), tokens.cacheCreation(),
                        tokens.cacheWrite5m(), tokens.cacheCreation1h()), null, CostSource.UNPRICED,
                new Call(null, null, null, null, null, speed, null, null, null, null, null, null, null, null),
                Place.NONE, "/p/s1.jsonl");
    }

    private LedgerRow exactTranscript(String model, long input, String cost) {
        return new LedgerRow("msg:t" + ++keys, Source.TRANSCRIPT, "s1", T, model, new Tokens(input, 0, 0, 0, 0, 0),
                new BigDecimal(cost), CostSource.EXACT, Call.NONE, Place.NONE, "/p/s1.jsonl");
    }

    private LedgerRow telemetry(String model, TokenCounts tokens, BigDecimal cost) {
        return new LedgerRow("evt:" + ++keys, Source.TELEMETRY, "s1", T, model,
                new Tokens(tokens.input(), tokens.output(), tokens.cacheRead(), tokens.cacheCreation(),
                        tokens.cacheWrite5m(), tokens.cacheCreation1h()), cost, CostSource.EXACT,
                new Call(null, null, null, "sdk", null, "normal", null, null, null, null, null, null, null, null),
                Place.NONE, null);
    }

    private List<LedgerRow> telemetryOfNewModel() {
        var rows = new ArrayList<LedgerRow>();
        for (int i = 1; i <= 8; i++) {
            var tokens = new TokenCounts(1000L * i, 7L * i * i, 300L * (9 - i), 20L * i * i * i, i % 3 == 0 ? 5 : 0);
            rows.add(telemetry(NEW_MODEL, tokens, NEW_MODEL_PRICE.cost(tokens)));
        }
        return rows;
    }

    /** key → {cost_usd, cost_source}. */
    private Map<String, List<String>> costs() throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database());
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT key, cost_usd, cost_source FROM requests")) {
            var costs = new HashMap<String, List<String>>();
            while (result.next()) {
                costs.put(result.getString(1), java.util.Arrays.asList(result.getString(2), result.getString(3)));
            }
            return costs;
        }
    }

    @Test
    void transcriptRowsArePricedAgainWhenTelemetryTeachesTheirModelsPrices() throws Exception {
        TokenCounts tokens = new TokenCounts(1_000_000, 1_000_000, 0, 0, 0);
        try (Ledger ledger = Ledger.open(database())) {
            var pricing = new LedgerPricing(ledger, PriceTable.shipped());
            LedgerRow unpriced = transcript(NEW_MODEL, tokens, "standard");
            LedgerRow exact = exactTranscript(NEW_MODEL, 5, "0.123");
            ledger.record(List.of(unpriced, exact));
            pricing.update();
            assertEquals(java.util.Arrays.asList(null, "unpriced"), costs().get(unpriced.key()),
                    "an unknown model: no cost, never $0");

            List<LedgerRow> telemetry = telemetryOfNewModel();
            ledger.record(telemetry);
            pricing.observe(telemetry);
            Prices prices = pricing.update();

            assertEquals(NEW_MODEL_PRICE, prices.learned().get(NEW_MODEL));
            assertEquals(List.of("42", "learned"), costs().get(unpriced.key()), "$7 + $35");
            assertEquals(List.of("0.123", "exact"), costs().get(exact.key()), "an exact row is never re-priced");
            telemetry.forEach(row -> {
                try {
                    assertEquals(List.of(row.costUsd().toPlainString(), "exact"), costs().get(row.key()));
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void whenTheReceiverStartsItLearnsFromTheLedgersTelemetryAndPricesWhatEarlierRunsCouldNot() throws Exception {
        LedgerRow row = transcript(NEW_MODEL, new TokenCounts(1_000_000, 0, 0, 0, 0), null);
        try (Ledger ledger = Ledger.open(database())) {
            ledger.record(List.of(row));
            ledger.record(telemetryOfNewModel()); // written by an earlier run: no observe()
        }
        try (Ledger ledger = Ledger.open(database())) {
            new LedgerPricing(ledger, PriceTable.shipped()).update();
        }
        assertEquals(List.of("7", "learned"), costs().get(row.key()));
    }

    @Test
    void theUsersPriceFilePricesRowsAndTakingItAwayUnpricesThem() throws Exception {
        LedgerRow row = transcript("my-model", new TokenCounts(2_000_000, 0, 0, 0, 0), "standard");
        LedgerRow opus = transcript("claude-opus-4-1-20250805", new TokenCounts(1_000_000, 0, 0, 0, 0), null);
        Path userFile = dir.resolve(LedgerPricing.PRICES_FILE);
        try (Ledger ledger = Ledger.open(database())) {
            var pricing = new LedgerPricing(ledger, PriceTable.shipped());
            ledger.record(List.of(row, opus));
            pricing.update();
            assertEquals(java.util.Arrays.asList(null, "unpriced"), costs().get(row.key()));
            assertEquals(List.of("15", "table"), costs().get(opus.key()));

            Files.writeString(userFile, "{\"models\": {\"my-model\": {\"input\": 0.5, \"output\": 1,"
                    + " \"cache_read\": 0, \"cache_write_5m\": 0, \"cache_write_1h\": 0}}}");
            pricing.update();
            assertEquals(List.of("1", "table"), costs().get(row.key()));

            Files.writeString(userFile, "{\"models\": {\"my-model\": {\"input\": \"cheap\"}}}"); // malformed
            pricing.update();
            assertEquals(java.util.Arrays.asList(null, "unpriced"), costs().get(row.key()), "ignored, so unknown");
            assertEquals(List.of("15", "table"), costs().get(opus.key()), "the shipped table stands");
        }
    }

    @Test
    void sqlitesRepricingWritesTheCostsThatPricingANewRowWrites() throws Exception {
        var random = new Random(7);
        var partialLearned = new Price(new BigDecimal("2.5"), new BigDecimal("12.345678"), new BigDecimal("0.25"),
                null, new BigDecimal("5"), null);
        var prices = new Prices(Map.of("claude-haiku-4-5", partialLearned), PriceTable.shipped());
        String[] models = {"claude-haiku-4-5", "claude-haiku-5-5", "claude-opus-4-1", "claude-3-haiku", "nobody"};
        var rows = new ArrayList<LedgerRow>();
        for (String model : models) {
            for (int i = 0; i < 40; i++) {
                long cacheCreation = random.nextBoolean() ? 0 : random.nextInt(80_000);
                var tokens = new TokenCounts(random.nextInt(120_000), random.nextInt(40_000),
                        random.nextBoolean() ? 0 : random.nextInt(60_000), cacheCreation,
                        random.nextInt(3) == 0 ? random.nextInt(80_000) : 0);
                rows.add(transcript(model, tokens, i % 10 == 0 ? "fast" : "standard"));
            }
        }
        try (Ledger ledger = Ledger.open(database())) {
            ledger.record(rows);
            var rules = new HashMap<String, Prices.Rule>();
            for (String model : models) {
                rules.put(model, prices.rule(model));
            }
            ledger.reprice(rules);
        }
        Map<String, List<String>> costs = costs();
        int priced = 0;
        for (LedgerRow row : rows) {
            Tokens t = row.tokens();
            Prices.Priced expected = prices.price(row.model(),
                    new TokenCounts(t.input(), t.output(), t.cacheRead(), t.cacheCreation(), t.cacheCreation1h()),
                    row.call().speed());
            List<String> actual = costs.get(row.key());
            if (expected == null) {
                assertEquals(java.util.Arrays.asList(null, "unpriced"), actual, row.toString());
            } else {
                priced++;
                assertEquals(List.of(expected.costUsd().toPlainString(), expected.basis().name().toLowerCase()),
                        actual, row.toString());
            }
        }
        assertEquals(true, priced > 100, "most rows priced: " + priced);
    }

    @Test
    void sumsOfRepricedCostsAreExactToTheCent() throws Exception {
        try (Ledger ledger = Ledger.open(database())) {
            var rows = new ArrayList<LedgerRow>();
            for (int i = 0; i < 1000; i++) {
                rows.add(transcript("claude-sonnet-4-5", new TokenCounts(333, 77, 0, 0, 0), null));
            }
            ledger.record(rows);
            new LedgerPricing(ledger, PriceTable.shipped()).update();
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database());
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT sum(cost_usd), count(*) FROM requests WHERE cost_source = 'table'")) {
            result.next();
            // 1000 x (333 x $3 + 77 x $15) per million = $2.154: SQLite's sum() of the decimals, to far below a cent
            assertEquals(2.154, result.getDouble(1), 1e-9);
            assertEquals(1000, result.getInt(2));
        }
    }

    @Test
    void nothingIsRepricedWhenNothingChanged() throws IOException, SQLException {
        LedgerRow row = transcript(NEW_MODEL, new TokenCounts(1, 0, 0, 0, 0), null);
        try (Ledger ledger = Ledger.open(database())) {
            var pricing = new LedgerPricing(ledger, PriceTable.shipped());
            ledger.record(List.of(row));
            pricing.update();
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database())) {
                connection.createStatement().executeUpdate("UPDATE requests SET cost_usd = 'marker'");
            }
            pricing.update(); // same table, no file, nothing learned: no UPDATE
        }
        assertEquals("marker", costs().get(row.key()).get(0));
    }
}
