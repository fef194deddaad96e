package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions that export metrics but no log events, DELTA and CUMULATIVE, across a {@code kill -9}: once the restarted
 * receiver has caught up with its journal the ledger holds exactly what was acknowledged, and the exporters' retries
 * of everything add nothing twice.
 */
class LedgerMetricsRecoveryTest {

    private static final int EXPORTS = 150;
    /** Exports after a clean stop: the next start restores the aggregator from its snapshot. */
    private static final int LATER = 10;
    private static final String MODEL = "claude-opus-5-5";

    @TempDir
    Path home;
    private final HttpClient client = HttpClient.newHttpClient();

    /** A session's ledger sums: input tokens, output tokens and the exact cost. */
    private record Sums(long input, long output, BigDecimal cost) {
        boolean same(Sums other) {
            return input == other.input && output == other.output && cost.compareTo(other.cost) == 0;
        }
    }

    /** What the first {@code exports} exports of the delta session say: the sum of their values. */
    private static Sums delta(int exports) {
        long input = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (int i = 0; i < exports; i++) {
            input += step(i);
            cost = cost.add(BigDecimal.valueOf(stepCost(i)));
        }
        return new Sums(input, 40L * exports, cost);
    }

    /** What the first {@code exports} exports of the cumulative session say: the last value, a running double. */
    private static Sums cumulative(int exports) {
        long input = 0;
        double cost = 0;
        for (int i = 0; i < exports; i++) {
            input += step(i);
            cost += stepCost(i);
        }
        return new Sums(input, 40L * exports, BigDecimal.valueOf(cost));
    }

    private static long step(int i) {
        return 1000 + i;
    }

    private static double stepCost(int i) {
        return 0.001 * (i % 7 + 1);
    }

    /** The exports of a delta session and of a cumulative one, interleaved: delta first, then cumulative. */
    private static List<byte[]> exports(Instant start) {
        var bodies = new ArrayList<byte[]>();
        long input = 0;
        long output = 0;
        double cost = 0;
        for (int i = 0; i < EXPORTS + LATER; i++) {
            Instant from = start.plusMillis(10L * i);
            Instant to = from.plusMillis(10);
            input += step(i);
            output += 40;
            cost += stepCost(i);
            bodies.add(Otlp.usage("delta", MODEL, Otlp.DELTA, from, to, step(i), 40, 0, 0, stepCost(i))
                    .toByteArray());
            bodies.add(Otlp.usage("cumulative", MODEL, Otlp.CUMULATIVE, start, to, input, output, 0, 0, cost)
                    .toByteArray());
        }
        return bodies;
    }

    private Sums ledger(String session) throws Exception {
        Path database = home.resolve(".claude/token-metrics/usage.db");
        if (!Files.exists(database)) {
            return new Sums(0, 0, BigDecimal.ZERO);
        }
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             var statement = connection.prepareStatement("SELECT coalesce(sum(input_tokens), 0),"
                     + " coalesce(sum(output_tokens), 0), group_concat(cost_usd, ' ') FROM requests"
                     + " WHERE session_id = ?")) {
            statement.setString(1, session);
            try (var result = statement.executeQuery()) {
                BigDecimal cost = BigDecimal.ZERO;
                String costs = result.getString(3);
                for (String one : costs == null ? new String[0] : costs.split(" ")) {
                    cost = cost.add(new BigDecimal(one));
                }
                return new Sums(result.getLong(1), result.getLong(2), cost);
            }
        }
    }

    private void awaitLedger(String session, Predicate<Sums> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Sums sums = ledger(session);
        while (!condition.test(sums)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the ledger never held " + what + " for " + session + "; it has " + sums);
            }
            Thread.sleep(50);
            sums = ledger(session);
        }
    }

    @Test
    void metricsOnlySessionsAreExactInTheLedgerAfterKillNineAndRetries() throws Exception {
        int port = DaemonProcess.freePort();
        List<byte[]> all = exports(Instant.now().minusSeconds(60));
        List<byte[]> bodies = all.subList(0, 2 * EXPORTS);
        var acknowledged = new AtomicInteger(); // a prefix: one exporter, in order
        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        var sender = new Thread(() -> {
            for (byte[] body : bodies) {
                if (!DaemonProcess.export(client, port, "/v1/metrics", body)) {
                    return;
                }
                acknowledged.incrementAndGet();
            }
        });
        sender.start();
        while (acknowledged.get() < bodies.size() / 3) {
            Thread.onSpinWait();
        }
        daemon.process.destroyForcibly(); // kill -9, mid-stream
        daemon.process.waitFor();
        sender.join();
        int acked = acknowledged.get();
        assertTrue(acked < bodies.size(), "the kill landed mid-stream");

        DaemonProcess restarted = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        try {
            // Exports alternate delta, cumulative: the first `acked` were acknowledged; the one in flight may have
            // been made durable without its answer arriving.
            int deltas = (acked + 1) / 2;
            int cumulatives = acked / 2;
            int deltasInFlight = (acked + 2) / 2;
            int cumulativesInFlight = (acked + 1) / 2;
            awaitLedger("delta", sums -> sums.same(delta(deltas)) || sums.same(delta(deltasInFlight)),
                    "the acknowledged delta exports");
            awaitLedger("cumulative", sums -> sums.same(cumulative(cumulatives))
                    || sums.same(cumulative(cumulativesInFlight)), "the acknowledged cumulative exports");

            for (byte[] body : bodies) { // the exporter retries the rest, and some of the acknowledged
                assertTrue(DaemonProcess.export(client, port, "/v1/metrics", body), "a retry");
            }
            awaitLedger("delta", delta(EXPORTS)::same, "every delta export");
            awaitLedger("cumulative", cumulative(EXPORTS)::same, "every cumulative export");
            // And retries of recent exports once everything is there change nothing. (A delta window older than
            // the receiver remembers, 64 exports back, would count again: no exporter retries that late.)
            for (byte[] body : bodies.subList(bodies.size() - 10, bodies.size())) {
                assertTrue(DaemonProcess.export(client, port, "/v1/metrics", body), "a retry");
            }
        } finally {
            restarted.process.destroy();
            restarted.awaitExit();
        }
        // Stopped cleanly, the ledger has written everything: exactly once.
        assertTrue(delta(EXPORTS).same(ledger("delta")), "delta: " + ledger("delta"));
        assertTrue(cumulative(EXPORTS).same(ledger("cumulative")), "cumulative: " + ledger("cumulative"));

        // Started again, from the snapshot the clean stop wrote; more exports, and kill -9 once they are answered.
        DaemonProcess again = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        for (byte[] body : all.subList(2 * EXPORTS, all.size())) {
            assertTrue(DaemonProcess.export(client, port, "/v1/metrics", body), "a later export");
        }
        again.process.destroyForcibly();
        again.process.waitFor();
        DaemonProcess last = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        try {
            awaitLedger("delta", delta(EXPORTS + LATER)::same, "the later delta exports, once");
            awaitLedger("cumulative", cumulative(EXPORTS + LATER)::same, "the later cumulative exports, once");
        } finally {
            last.process.destroy();
            last.awaitExit();
        }
    }
}
