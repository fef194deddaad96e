package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.ledger.Ledger;
import dev.tokenmetrics.receiver.ledger.LedgerRow;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a ledger for the /metrics benchmark (bench/prometheus-bench.sh): a year of heavy use, ROWS requests spread
 * evenly over the last 365 days, 20 per session, over MODELS x PROJECTS x BRANCHES label sets (4 token series each),
 * through the receiver's own {@link Ledger}. Usage: BenchLedger DATABASE ROWS MODELS PROJECTS BRANCHES
 */
public final class BenchLedger {

    private BenchLedger() {
    }

    public static void main(String[] args) throws Exception {
        Path database = Path.of(args[0]);
        int rows = Integer.parseInt(args[1]);
        int models = Integer.parseInt(args[2]);
        int projects = Integer.parseInt(args[3]);
        int branches = Integer.parseInt(args[4]);
        long now = System.currentTimeMillis();
        long step = 365L * 24 * 3600 * 1000 / rows;
        try (Ledger ledger = Ledger.open(database)) {
            var batch = new ArrayList<LedgerRow>(10_000);
            for (int i = 0; i < rows; i++) {
                int labels = i % (models * projects * branches);
                String model = "claude-bench-model-" + labels % models;
                String project = "/home/you/work/project-" + (labels / models) % projects;
                String branch = "feature/branch-" + labels / (models * projects);
                batch.add(new LedgerRow("req:bench-" + i, LedgerRow.Source.TELEMETRY, "session-" + i / 20,
                        Instant.ofEpochMilli(now - (long) (rows - i) * step), model,
                        new LedgerRow.Tokens(i % 5000, i % 2000, i % 60_000, i % 3000, i % 3000, 0),
                        BigDecimal.valueOf(i % 100_000, 6), LedgerRow.CostSource.EXACT, LedgerRow.Call.NONE,
                        new LedgerRow.Place(null, project, branch, null), null));
                if (batch.size() == 10_000) {
                    ledger.record(List.copyOf(batch));
                    batch.clear();
                }
            }
            ledger.record(batch);
            ledger.sync();
        }
    }
}
