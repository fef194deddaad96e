package dev.tokenmetrics.receiver;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak benchmark's load (bench/soak-bench.sh): distinct Claude Code sessions, one recorded export each
 * (cc-2.1.330, five usage points, re-dated to now), sent over a few concurrent connections to a running daemon. At
 * every checkpoint it prints the daemon's RSS, its heap after a full collection (jcmd), the metrics file's size and
 * the export-to-file latency of a fresh session, measured while the load goes on.
 * Usage: SoakDriver PORT PID METRICS_FILE SESSIONS CHECKPOINT_EVERY CONNECTIONS
 */
public final class SoakDriver {

    private static final int PROBES = 5;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern HEAP_USED =
            Pattern.compile("(?:new generation|tenured generation)\\s+total \\d+K, used (\\d+)K");
    private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\" : \"([^\"]+)\"");

    private final URI metrics;
    private final long pid;
    private final Path metricsFile;
    private final ExportMetricsServiceRequest recorded;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong failures = new AtomicLong();
    private volatile long staleFileMillis; // the oldest metrics-file timestamp age seen while polling

    private SoakDriver(int port, long pid, Path metricsFile, ExportMetricsServiceRequest recorded) {
        this.metrics = URI.create("http://127.0.0.1:" + port + "/v1/metrics");
        this.pid = pid;
        this.metricsFile = metricsFile;
        this.recorded = recorded;
    }

    public static void main(String[] args) throws Exception {
        var recorded = OtlpJson.decode(Otlp.resource("cc-2.1.330-metrics-delta.json"),
                ExportMetricsServiceRequest.getDefaultInstance());
        var driver = new SoakDriver(Integer.parseInt(args[0]), Long.parseLong(args[1]), Path.of(args[2]), recorded);
        driver.run(Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
    }

    private void run(int sessions, int checkpointEvery, int connections) throws Exception {
        System.out.printf("%9s %9s %10s %9s %12s %12s %9s%n", "sessions", "RSS MiB", "heap MiB", "file KiB",
                "latency p50", "latency max", "failures");
        checkpoint(0);
        staleFileMillis = 0; // from here on, under load
        var senders = new ArrayList<Thread>();
        for (int c = 0; c < connections; c++) {
            Thread sender = new Thread(() -> send(sessions), "sender-" + c);
            sender.setDaemon(true); // a failed checkpoint ends the run
            sender.start();
            senders.add(sender);
        }
        for (int mark = checkpointEvery; mark <= sessions; mark += checkpointEvery) {
            while (next.get() < mark) {
                Thread.sleep(20);
            }
            checkpoint(mark);
        }
        for (Thread sender : senders) {
            sender.join();
        }
        System.out.printf("oldest metrics-file timestamp seen while polling under load: %d ms old%n", staleFileMillis);
    }

    private void send(int sessions) {
        HttpClient client = client();
        for (int i = next.getAndIncrement(); i < sessions; i = next.getAndIncrement()) {
            try {
                post(client, export("soak-" + i, Instant.now()));
            } catch (IOException | InterruptedException e) {
                failures.incrementAndGet();
            }
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private byte[] export(String session, Instant time) {
        return Otlp.withSession(Otlp.retimed(recorded, time), session).toByteArray();
    }

    private void post(HttpClient client, byte[] body) throws IOException, InterruptedException {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(metrics)
                .header("Content-Type", "application/x-protobuf").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
    }

    private void checkpoint(int sent) throws Exception {
        long[] latencies = new long[PROBES];
        HttpClient client = client();
        for (int p = 0; p < PROBES; p++) {
            // Dated a minute ahead, within the receiver's tolerance for fast clocks, so that the probe stays at the
            // top of the file while the load's sessions keep arriving: the file's head is enough to find it.
            String session = UUID.randomUUID().toString();
            post(client, export(session, Instant.now().plusSeconds(60)));
            long acknowledged = System.nanoTime();
            long deadline = acknowledged + PROBE_TIMEOUT.toNanos();
            String key = "\"" + session + "\"";
            while (!fileHead().contains(key)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("session " + session + " never appeared in " + metricsFile);
                }
                Thread.sleep(2); // polling, as the statusline reads it
            }
            latencies[p] = System.nanoTime() - acknowledged;
        }
        Arrays.sort(latencies);
        System.out.printf("%9d %9.1f %10.1f %9d %10.0fms %10.0fms %9d%n", sent, rssKib() / 1024.0,
                liveHeapKib() / 1024.0, Files.size(metricsFile) / 1024, latencies[PROBES / 2] / 1e6,
                latencies[PROBES - 1] / 1e6, failures.get());
    }

    /** The file's first 64 KiB: the newest sessions come first. */
    private String fileHead() throws IOException {
        try (FileChannel channel = FileChannel.open(metricsFile)) {
            ByteBuffer head = ByteBuffer.allocate(64 * 1024);
            while (head.hasRemaining() && channel.read(head) > 0) {
                // read on
            }
            var text = new String(head.array(), 0, head.position(), StandardCharsets.UTF_8);
            Matcher timestamp = TIMESTAMP.matcher(text);
            if (timestamp.find()) {
                long age = Duration.between(Instant.parse(timestamp.group(1)), Instant.now()).toMillis();
                staleFileMillis = Math.max(staleFileMillis, age);
            }
            return text;
        } catch (NoSuchFileException e) {
            return "";
        }
    }

    private long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /** Heap used after a full collection: what the daemon retains. */
    private long liveHeapKib() throws IOException, InterruptedException {
        jcmd("GC.run");
        Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
        long kib = 0;
        while (used.find()) {
            kib += Long.parseLong(used.group(1));
        }
        return kib;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of("jcmd", Long.toString(pid), command)).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }
}
