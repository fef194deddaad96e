package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.PriceLearner;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.TokenCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;

import java.util.Random;

/**
 * One pricing benchmark run, for bench/pricing-bench.sh: a ledger of N rows (a fifth telemetry with Claude Code's
 * costs, the rest transcript rows, over several models), then the work pricing adds to the ledger writer's thread:
 * the first update after start (learn from every telemetry row, re-price every model), an update when nothing
 * changed, an update when one model's learned prices appear, and the first update after a restart with the prices
 * unchanged (learn from every telemetry row, look at every row, write none). Beside them, the floor: one full scan
 * of the table ({@code count(*)} of the rows re-pricing looks at). Prints one line of key=value figures, each
 * {@code wall/cpu} in ms (the thread's CPU time: this machine's cores are shared, so wall time swings with load).
 *
 * <p>Usage: {@code PricingBench <dir> [rows, default 300000]}
 */
public final class PricingBench {

    private static final String[] MODELS = {"claude-opus-4-5", "claude-sonnet-4-5-20250929", "claude-haiku-4-5",
            "claude-opus-4-1-20250805", "claude-sonnet-4", "claude-opus-5-5", "claude-haiku-5-5", "claude-3-5-haiku",
            "claude-internal-1", "claude-internal-2"};

    private PricingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path database = Files.createDirectories(Path.of(args[0])).resolve("usage.db");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        PriceTable table = PriceTable.shipped();
        var random = new Random(1);
        try (Ledger ledger = Ledger.open(database)) {
            var batch = new ArrayList<LedgerRow>();
            for (int i = 0; i < rows; i++) {
                String model = MODELS[i % MODELS.length];
                var tokens = new TokenCounts(random.nextInt(20_000), random.nextInt(4_000), random.nextInt(200_000),
                        random.nextInt(3) == 0 ? random.nextInt(30_000) : 0, 0);
                Price price = table.lookup(model);
                boolean telemetry = i % 5 == 0 && price != null;
                batch.add(new LedgerRow((telemetry ? "evt:" : "msg:") + i, telemetry ? Source.TELEMETRY
                        : Source.TRANSCRIPT, "s" + (i / 500), Instant.ofEpochMilli(1_790_000_000_000L + i * 1000L),
                        model, new Tokens(tokens.input(), tokens.output(), tokens.cacheRead(), tokens.cacheCreation(),
                        tokens.cacheCreation(), 0), telemetry ? price.cost(tokens) : null,
                        telemetry ? CostSource.EXACT : CostSource.UNPRICED, Call.NONE, Place.NONE,
                        telemetry ? null : "/p/s" + (i / 500) + ".jsonl"));
                if (batch.size() == 10_000) {
                    ledger.record(batch);
                    batch.clear();
                }
            }
            ledger.record(batch);
        }
        try (Ledger ledger = Ledger.open(database)) {
            var floor = new Timer();
            long repriceable = count(database);
            floor.stop();

            var pricing = new LedgerPricing(ledger, PriceTable.shipped());
            var first = new Timer();
            pricing.update();
            first.stop();

            var unchanged = new Timer();
            pricing.update();
            unchanged.stop();

            // telemetry for a model the table does not know arrives: its transcript rows become `learned`
            Price secret = Price.of("6", "30", "0.6", "7.5", "12");
            var telemetry = new ArrayList<LedgerRow>();
            for (int i = 0; i < 20; i++) {
                var tokens = new TokenCounts(1000 + random.nextInt(9000), random.nextInt(900), random.nextInt(9000),
                        random.nextInt(900), random.nextInt(90));
                telemetry.add(new LedgerRow("evt:new" + i, Source.TELEMETRY, "s-new", Instant.now(), "claude-internal-1",
                        new Tokens(tokens.input(), tokens.output(), tokens.cacheRead(), tokens.cacheCreation(),
                                tokens.cacheWrite5m(), tokens.cacheCreation1h()), secret.cost(tokens),
                        CostSource.EXACT, Call.NONE, Place.NONE, null));
            }
            ledger.record(telemetry);
            pricing.observe(telemetry);
            var oneModel = new Timer();
            pricing.update();
            oneModel.stop();

            Timer restart;
            Timer learning;
            try (Ledger again = Ledger.open(database)) { // the receiver restarted, prices unchanged
                learning = new Timer();
                var learner = new PriceLearner();
                again.forEachTelemetryCost(learner::add);
                learner.learned();
                learning.stop();
                restart = new Timer();
                new LedgerPricing(again, PriceTable.shipped()).update();
                restart.stop();
            }
            System.out.printf("rows=%d repriceable=%d floor_scan=%s first_update=%s unchanged_update=%s"
                            + " one_model_update=%s restart_update=%s learning_alone=%s"
                            + " transcript_costs=%s%n", rows, repriceable, floor, first, unchanged, oneModel,
                    restart, learning, learnedCount(database));
        }
    }

    /** Wall time and this thread's CPU time (SQLite runs on it), in ms: wall/cpu. */
    private static final class Timer {
        private static final java.lang.management.ThreadMXBean THREADS =
                java.lang.management.ManagementFactory.getThreadMXBean();
        private final long wall = System.nanoTime();
        private final long cpu = THREADS.getCurrentThreadCpuTime();
        private double wallMs;
        private double cpuMs;

        void stop() {
            wallMs = (System.nanoTime() - wall) / 1e6;
            cpuMs = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6;
        }

        @Override
        public String toString() {
            return String.format("%.1f/%.1f", wallMs, cpuMs);
        }
    }

    private static long count(Path database) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT count(*) FROM requests WHERE source = 'transcript' AND cost_source <> 'exact'")) {
            return result.getLong(1);
        }
    }

    private static String learnedCount(Path database) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             ResultSet result = connection.createStatement().executeQuery(
                     "SELECT sum(cost_source = 'learned'), sum(cost_source = 'table'), sum(cost_source = 'unpriced')"
                             + " FROM requests WHERE source = 'transcript'")) {
            return "learned:" + result.getLong(1) + ",table:" + result.getLong(2) + ",unpriced:" + result.getLong(3);
        }
    }

}
