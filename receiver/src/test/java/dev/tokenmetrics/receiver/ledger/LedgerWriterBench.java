package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The ledger writer's work under the receiver bench's mixed load, in-process, for {@code bench/ledger-writer-bench.sh}:
 * transactions of {@code rows} telemetry rows (the recorded {@code api_request}'s figures) spread over 64 sessions
 * whose metrics count more than their requests, as the bench's recorded metrics export does, so that each
 * transaction reconciles the 64 sessions' {@code metrics} rows; every 20th transaction (once a second at the writer's
 * 50 ms) also brings the 64 sessions' grown metric totals. Prints the CPU time of this thread per request row, after
 * 20 transactions of warm-up. Uses only {@link Ledger}'s public methods, so it runs against another build's jar too.
 * Usage: LedgerWriterBench DIR [transactions=400] [rows=35]
 */
public final class LedgerWriterBench {

    private static final int SESSIONS = 64;
    private static final int WARM_UP = 20;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int transactions = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int perTransaction = args.length > 2 ? Integer.parseInt(args[2]) : 35;
        var threads = ManagementFactory.getThreadMXBean();
        var random = new Random(1);
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        long[] metricInput = new long[SESSIONS];
        long[] metricMicros = new long[SESSIONS];
        long cpuFrom = 0;
        int rows = 0;
        long id = 0;
        try (Ledger ledger = Ledger.open(dir.resolve("usage.db"))) {
            for (int t = 0; t < transactions + WARM_UP; t++) {
                if (t == WARM_UP) {
                    cpuFrom = threads.getCurrentThreadCpuTime();
                    rows = 0;
                }
                var batch = new ArrayList<LedgerRow>();
                for (int i = 0; i < perTransaction; i++) {
                    id++;
                    batch.add(new LedgerRow("req:bench_" + id, Source.TELEMETRY, "session-" + random.nextInt(SESSIONS),
                            start.plusMillis(id * 3), "claude-opus-5-5", new Tokens(1011, 41, 300, 20, 20, 0),
                            new BigDecimal("0.005024"), CostSource.EXACT, new Call("bench_" + id, 44L, 32L, "sdk",
                                    "medium", "normal", null, null, "prompt", "user", null, null, "xterm", "2.1.330"),
                            Place.NONE, null));
                }
                var totals = new ArrayList<MetricTotal>();
                if (t % 20 == 0) {
                    for (int s = 0; s < SESSIONS; s++) {
                        metricInput[s] += 40_000;
                        metricMicros[s] += 200_000;
                        totals.add(new MetricTotal("session-" + s, "claude-opus-5-5", start.plusMillis(id * 3),
                                metricInput[s], 900, 3000, 200, BigDecimal.valueOf(metricMicros[s], 6), null));
                    }
                }
                ledger.record(batch, List.copyOf(totals));
                rows += batch.size();
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpuFrom;
            System.out.printf("rows=%d cpu_us_per_row=%.1f%n", rows, cpu / 1000.0 / rows);
        }
    }
}
