package dev.tokenmetrics.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.receiver.forward.ForwardSettings;
import dev.tokenmetrics.receiver.http.ServerLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;

/** A receiver daemon running in this JVM on a free port, with its files in a temporary directory. */
public final class RunningReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Daemon daemon;
    private final Path metricsFile;
    private final Path stateDir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningReceiver(Daemon daemon, Path metricsFile, Path stateDir) {
        this.daemon = daemon;
        this.metricsFile = metricsFile;
        this.stateDir = stateDir;
    }

    public static RunningReceiver start(Path home) throws IOException {
        return start(home, 0, ServerLimits.DEFAULTS);
    }

    public static RunningReceiver start(Path home, int port, ServerLimits limits) throws IOException {
        return start(home, port, limits, Double.NaN, ForwardSettings.NONE);
    }

    /** With a daily budget in USD ({@code --daily-budget}; NaN for none). */
    public static RunningReceiver start(Path home, int port, ServerLimits limits, double dailyBudgetUsd)
            throws IOException {
        return start(home, port, limits, dailyBudgetUsd, ForwardSettings.NONE);
    }

    /** With forwarding as configured (ForwardSettings.fromEnvironment, options applied with {@code with}). */
    public static RunningReceiver start(Path home, int port, ServerLimits limits, ForwardSettings forward)
            throws IOException {
        return start(home, port, limits, Double.NaN, forward);
    }

    private static RunningReceiver start(Path home, int port, ServerLimits limits, double dailyBudgetUsd,
                                         ForwardSettings forward)
            throws IOException {
        Path metricsFile = home.resolve(".claude/token-metrics.json");
        Path stateDir = home.resolve(".claude/token-metrics");
        var config = new ReceiverConfig(port, "127.0.0.1", metricsFile, stateDir, home.resolve(".claude/projects"),
                limits, dailyBudgetUsd, forward);
        return new RunningReceiver(Daemon.start(config, Clock.systemDefaultZone()), metricsFile, stateDir);
    }

    public int port() {
        return daemon.port();
    }

    public Path metricsFile() {
        return metricsFile;
    }

    public Path stateDir() {
        return stateDir;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpResponse<byte[]> post(String path, String contentType, String contentEncoding, byte[] body)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentEncoding != null) {
            request.header("Content-Encoding", contentEncoding);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends bytes as they are over a new connection and returns whatever comes back before it closes. */
    public String raw(String request) throws IOException {
        try (var socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The metrics file as parsed JSON, or null while it does not exist. */
    public JsonNode metrics() throws IOException {
        try {
            return JSON.readTree(Files.readAllBytes(metricsFile));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Waits until the metrics file satisfies the condition (it is rewritten 200 ms after a change). */
    public JsonNode awaitMetrics(Predicate<JsonNode> condition) throws IOException, InterruptedException {
        return awaitMetrics(condition, Duration.ofSeconds(10));
    }

    /** As {@link #awaitMetrics(Predicate)}, for as long as given (the heartbeat rewrites the file every 15 s). */
    public JsonNode awaitMetrics(Predicate<JsonNode> condition, Duration patience)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        JsonNode metrics = metrics();
        while (metrics == null || !condition.test(metrics)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("metrics file never matched; last seen: " + metrics);
            }
            Thread.sleep(20);
            metrics = metrics();
        }
        return metrics;
    }

    /**
     * Waits until the metrics file and the ledger cover every export recorded so far, and returns the file: what
     * they say then is final until the next export. The positive signal that replaces "wait a while and see that
     * nothing changed".
     */
    public JsonNode awaitPublished() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!daemon.published()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the metrics file never caught up with the commits");
            }
            Thread.sleep(10);
        }
        return metrics();
    }

    /** Waits until the ledger is open: the receiver opens it on its writer's thread once it listens. */
    public void awaitLedgerOpen() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!daemon.ledgerOpen()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the ledger was not open within 10 s");
            }
            Thread.sleep(10);
        }
    }

    /** The ledger's sums for a session, once it covers every export recorded so far. */
    public LedgerSums ledgerSums(String sessionId) throws Exception {
        awaitPublished();
        try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + stateDir.resolve("usage.db"));
             var statement = connection.prepareStatement("SELECT count(*), sum(input_tokens), sum(output_tokens),"
                     + " sum(cache_read_tokens), sum(cache_creation_tokens), group_concat(cost_usd, ' ')"
                     + " FROM requests WHERE session_id = ?")) {
            statement.setString(1, sessionId);
            try (var result = statement.executeQuery()) {
                result.next();
                var cost = java.math.BigDecimal.ZERO;
                String costs = result.getString(6);
                for (String one : costs == null ? new String[0] : costs.split(" ")) {
                    cost = cost.add(new java.math.BigDecimal(one)); // summed exactly, as the text it is stored as
                }
                return new LedgerSums(result.getInt(1), result.getLong(2), result.getLong(3), result.getLong(4),
                        result.getLong(5), cost);
            }
        }
    }

    /** Requests, the four token sums and the exact cost sum of a session in the ledger. */
    public record LedgerSums(int requests, long input, long output, long cacheRead, long cacheCreation,
                             java.math.BigDecimal costUsd) {
    }

    /** Imports what Claude Code's transcripts under this HOME gained into the ledger, now. */
    public void importTranscripts() {
        if (!daemon.importTranscripts()) {
            throw new AssertionError("the transcript import did not finish");
        }
    }

    /** Group commits of the store so far: unchanged means no export was recorded. */
    public long commits() {
        return daemon.commits();
    }

    public JsonNode awaitSession(String sessionId) throws IOException, InterruptedException {
        return awaitMetrics(m -> m.path("sessions").has(sessionId)).path("sessions").path(sessionId);
    }

    @Override
    public void close() {
        daemon.close();
    }
}
