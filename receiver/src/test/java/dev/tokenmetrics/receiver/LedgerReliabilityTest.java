package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger keeps every acknowledged request exactly once, and a broken ledger never stops the receiver. */
class LedgerReliabilityTest {

    private static final int REQUESTS = 300;
    private static final int CLIENTS = 3;

    @TempDir
    Path home;
    private final HttpClient client = HttpClient.newHttpClient();

    private Path ledger() {
        return home.resolve(".claude/token-metrics/usage.db");
    }

    private boolean send(int port, byte[] body) {
        return DaemonProcess.export(client, port, "/v1/logs", body);
    }

    private Set<String> requestIds() throws SQLException {
        var ids = new HashSet<String>();
        if (!Files.exists(ledger())) {
            return ids;
        }
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + ledger());
             var result = connection.createStatement().executeQuery("SELECT request_id FROM requests")) {
            while (result.next()) {
                ids.add(result.getString(1));
            }
        }
        return ids;
    }

    private int rows() throws SQLException {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + ledger());
             var result = connection.createStatement().executeQuery("SELECT count(*) FROM requests")) {
            return result.getInt(1);
        }
    }

    @Test
    void everyAcknowledgedRequestIsInTheLedgerExactlyOnceAfterKillNineAndRetries() throws Exception {
        int port = DaemonProcess.freePort();
        Instant start = Instant.now().minusSeconds(60);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            bodies.add(Otlp.apiRequest("s" + (i % 7), "req_" + i, start.plusMillis(i), 1000 + i, 40, "0.001")
                    .toByteArray());
        }
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        DaemonProcess daemon = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        var threads = new ArrayList<Thread>();
        for (int k = 0; k < CLIENTS; k++) {
            int first = k;
            threads.add(new Thread(() -> {
                for (int i = first; i < REQUESTS; i += CLIENTS) {
                    if (!send(port, bodies.get(i))) {
                        return;
                    }
                    acknowledged.add(i);
                }
            }));
        }
        threads.forEach(Thread::start);
        while (acknowledged.size() < REQUESTS / 3) {
            Thread.onSpinWait();
        }
        daemon.process.destroyForcibly(); // kill -9, mid-stream
        daemon.process.waitFor();
        for (Thread thread : threads) {
            thread.join();
        }
        assertTrue(acknowledged.size() < REQUESTS, "the kill landed mid-stream");

        DaemonProcess restarted = DaemonProcess.start(home, "--port", Integer.toString(port)).awaitHealthy(port);
        try {
            // Whatever was acknowledged is there once the restarted daemon has caught up with its journal.
            Set<String> expected = new HashSet<>();
            acknowledged.forEach(i -> expected.add("req_" + i));
            awaitLedger(ids -> ids.containsAll(expected), "every acknowledged request after the restart");

            for (int i = 0; i < REQUESTS; i++) { // the exporters retry the rest, and some of the acknowledged
                assertTrue(send(port, bodies.get(i)), "retry of request " + i);
            }
            awaitLedger(ids -> ids.size() == REQUESTS, "every request");
            assertEquals(REQUESTS, rows(), "each exactly once");
        } finally {
            restarted.process.destroy();
            restarted.awaitExit();
        }
    }

    private void awaitLedger(java.util.function.Predicate<Set<String>> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Set<String> ids = requestIds();
        while (!condition.test(ids)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the ledger never held " + what + "; it has " + ids.size() + " rows");
            }
            Thread.sleep(50);
            ids = requestIds();
        }
    }

    @Test
    void aLedgerThatCannotBeOpenedIsReportedAndTheReceiverGoesOnCounting() throws Exception {
        Files.createDirectories(ledger().getParent());
        Files.writeString(ledger(), "this is not a database, it is a file someone wrote over the ledger\n".repeat(100));
        try (var receiver = RunningReceiver.start(home)) {
            JsonNode health = awaitHealth(receiver, h -> h.path("problems").toString().contains("ledger"));
            assertEquals("degraded", health.path("status").asText(), health.toString());

            assertEquals(200, receiver.post("/v1/logs", ReceiverHttpTest.PROTOBUF, null,
                    Otlp.apiRequest("s1", "req_1", Instant.now(), 10, 1, "0.001").toByteArray()).statusCode());
            assertEquals(200, receiver.post("/v1/metrics", ReceiverHttpTest.PROTOBUF, null,
                    ReceiverHttpTest.recordedExport().toByteArray()).statusCode());
            receiver.awaitSession("e2f7c84b-4b26-4b2e-b1d3-d07f29d53082"); // still counted
        }
    }

    @Test
    void theReceiverListensWhileTheLedgerCannotBeOpenedAndItCatchesUpOnceItCan() throws Exception {
        // As a long migration after an upgrade, or another program's exclusive lock, keeps the ledger busy at start.
        Files.createDirectories(ledger().getParent());
        try (var holder = DriverManager.getConnection("jdbc:sqlite:" + ledger());
             var statement = holder.createStatement()) {
            statement.execute("PRAGMA locking_mode = EXCLUSIVE");
            statement.execute("CREATE TABLE held (x)"); // takes the lock, and keeps it in this mode
            try (var receiver = RunningReceiver.start(home)) {
                awaitHealth(receiver, health -> health.path("problems").toString().contains("ledger"));
                assertEquals(200, receiver.post("/v1/logs", ReceiverHttpTest.PROTOBUF, null,
                        Otlp.apiRequest("s1", "req_1", Instant.now(), 10, 1, "0.001").toByteArray()).statusCode());
                assertEquals(200, receiver.post("/v1/metrics", ReceiverHttpTest.PROTOBUF, null,
                        ReceiverHttpTest.recordedExport().toByteArray()).statusCode());
                receiver.awaitSession("e2f7c84b-4b26-4b2e-b1d3-d07f29d53082"); // counted meanwhile

                statement.execute("PRAGMA locking_mode = NORMAL");
                statement.execute("DROP TABLE held"); // a write in normal mode releases the lock at its end
                awaitHealth(receiver, health -> !health.path("problems").toString().contains("ledger"));
                awaitLedger(ids -> ids.contains("req_1"), "the request acknowledged while it was locked");
            }
        }
    }

    private static JsonNode awaitHealth(RunningReceiver receiver, java.util.function.Predicate<JsonNode> condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            JsonNode health = new ObjectMapper().readTree(receiver.get("/health").body());
            if (condition.test(health)) {
                return health;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/health never came to the state awaited: " + health);
            }
            Thread.sleep(50);
        }
    }
}
