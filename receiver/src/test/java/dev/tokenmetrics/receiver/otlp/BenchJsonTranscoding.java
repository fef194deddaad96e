package dev.tokenmetrics.receiver.otlp;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.OtlpJson;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.tools.ToolProvider;

/**
 * Benchmark: OTLP JSON transcoded to wire format ({@link JsonEncoding#toWire}), this tree's transcoder against a
 * baseline: another revision's {@code otlp} package, compiled here and put first on a child JVM's class path, so that
 * the same payloads run through either, each JVM compiling only one. The payloads are Claude Code 2.1.330's recorded
 * exports: its metrics export written as {@code bench/receiver-bench.sh} posts it (BenchPayloads: OtlpJson, a session
 * and time window per copy, 64 copies), and its logs export as the CLI sent it.
 * <p>
 * {@code compare <baseline otlp sources> [rounds]} runs child JVMs interleaved, A/B/A/B, with the daemon's JIT flags
 * (C1 only, scripts/token-metrics-receiver) and with the default tiered JIT, checks that both write the same bytes,
 * and prints every child's median CPU time per export and the median of those per transcoder and JIT. From the repository:
 * {@code mvn -q -o -pl receiver -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt}, then
 * {@code mkdir /tmp/baseline && git archive REV receiver/src/main/java/dev/tokenmetrics/receiver/otlp | tar -x
 * -C /tmp/baseline} and {@code java -cp receiver/target/test-classes:receiver/target/classes:$(cat /tmp/cp.txt)
 * dev.tokenmetrics.receiver.otlp.BenchJsonTranscoding compare /tmp/baseline}.
 */
public final class BenchJsonTranscoding {

    private static final List<String> GC = List.of("-XX:+UseSerialGC", "-Xmn4m", "-Xmx256m");
    private static final Map<String, List<String>> JITS = new LinkedHashMap<>();

    static {
        JITS.put("daemon C1", List.of("-XX:TieredStopAtLevel=1", "-XX:Tier3InvocationThreshold=2000",
                "-XX:Tier3MinInvocationThreshold=1000", "-XX:Tier3CompileThreshold=20000", "-XX:CICompilerCount=1"));
        JITS.put("default", List.of());
    }

    private static final double WARM_UP_SECONDS = 5;
    private static final int RUNS = 11;
    private static final double RUN_SECONDS = 0.3;
    private static final int COPIES = 64;

    private BenchJsonTranscoding() {
    }

    /** A signal's bodies, transcoded one after another in a run. */
    private record Payload(String name, Signal signal, List<byte[]> bodies) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("run")) {
            run(Path.of(args[1]));
        } else if (args.length == 2 && args[0].equals("payloads")) { // for a profiler: then "run" that file
            write(payloads(), Path.of(args[1]));
        } else if (args.length > 1 && args[0].equals("compare")) {
            compare(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 5);
        } else {
            System.err.println("usage: BenchJsonTranscoding compare <baseline otlp sources> [rounds] | payloads <file>"
                    + " | run <payloads>");
            System.exit(2);
        }
    }

    private static List<Payload> payloads() throws MalformedRequestException {
        var recorded = OtlpJson.decode(Otlp.resource("cc-2.1.330-metrics-delta.json"),
                ExportMetricsServiceRequest.getDefaultInstance());
        Instant base = Instant.parse("2026-12-01T12:00:00Z");
        var metrics = new ArrayList<byte[]>();
        for (int i = 0; i < COPIES; i++) {
            metrics.add(OtlpJson.encode(Otlp.withSession(Otlp.retimed(recorded, base.plusMillis(i)), "bench-" + i)));
        }
        return List.of(new Payload("metrics", Signal.METRICS, metrics),
                new Payload("logs", Signal.LOGS, List.of(Otlp.resource("cc-2.1.330-logs.json"))));
    }

    private static void write(List<Payload> payloads, Path file) throws IOException {
        try (var out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(payloads.size());
            for (Payload payload : payloads) {
                out.writeUTF(payload.name());
                out.writeUTF(payload.signal().name());
                out.writeInt(payload.bodies().size());
                for (byte[] body : payload.bodies()) {
                    out.writeInt(body.length);
                    out.write(body);
                }
            }
        }
    }

    private static List<Payload> read(Path file) throws IOException {
        try (var in = new DataInputStream(Files.newInputStream(file))) {
            var payloads = new ArrayList<Payload>();
            for (int p = in.readInt(); p > 0; p--) {
                String name = in.readUTF();
                Signal signal = Signal.valueOf(in.readUTF());
                var bodies = new ArrayList<byte[]>();
                for (int b = in.readInt(); b > 0; b--) {
                    bodies.add(in.readNBytes(in.readInt()));
                }
                payloads.add(new Payload(name, signal, bodies));
            }
            return payloads;
        }
    }

    /** One child: its transcoder's origin, a checksum of each payload's wire bytes, then CPU ns per export per run. */
    private static void run(Path payloadFile) throws Exception {
        List<Payload> payloads = read(payloadFile);
        var json = new JsonEncoding();
        System.out.println("transcoder " + JsonEncoding.class.getProtectionDomain().getCodeSource().getLocation());
        for (Payload payload : payloads) {
            var crc = new CRC32();
            for (byte[] body : payload.bodies()) {
                crc.update(json.toWire(body, payload.signal()));
            }
            System.out.println("checksum " + payload.name() + " " + Long.toHexString(crc.getValue()));
        }
        // CPU time, not wall time: on a machine shared with other work, time spent waiting for a core is not ours
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        var perRun = new int[payloads.size()];
        long warmEnd = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        while (System.nanoTime() < warmEnd) {
            for (int p = 0; p < payloads.size(); p++) {
                sink += transcodeAll(json, payloads.get(p));
                perRun[p]++;
            }
        }
        for (int p = 0; p < perRun.length; p++) { // each payload a run's time, shared out by their costs
            perRun[p] = Math.max(1, (int) (perRun[p] / WARM_UP_SECONDS * RUN_SECONDS / payloads.size()));
        }
        for (int run = 0; run < RUNS; run++) {
            for (int p = 0; p < payloads.size(); p++) {
                Payload payload = payloads.get(p);
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < perRun[p]; i++) {
                    sink += transcodeAll(json, payload);
                }
                double nanos = (double) (threads.getCurrentThreadCpuTime() - start) / perRun[p] / payload.bodies().size();
                System.out.println("run " + payload.name() + " " + nanos);
            }
        }
        System.out.println("sink " + sink);
    }

    private static long transcodeAll(JsonEncoding json, Payload payload) throws MalformedRequestException {
        long sum = 0;
        for (byte[] body : payload.bodies()) {
            sum += json.toWire(body, payload.signal()).length;
        }
        return sum;
    }

    private static void compare(Path baselineSources, int rounds) throws Exception {
        String classPath = System.getProperty("java.class.path");
        Path baselineClasses = Files.createTempDirectory("baseline-otlp");
        List<String> sources;
        try (Stream<Path> files = Files.walk(baselineSources)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).toList();
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no Java sources under " + baselineSources);
        }
        var javac = new ArrayList<>(List.of("--release", "17", "-cp", classPath, "-d", baselineClasses.toString()));
        javac.addAll(sources);
        if (ToolProvider.getSystemJavaCompiler().run(null, null, null, javac.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("the baseline does not compile");
        }
        Path payloadFile = Files.createTempFile("json-payloads", ".bin");
        List<Payload> payloads = payloads();
        write(payloads, payloadFile);

        Map<String, String> transcoders = new LinkedHashMap<>();
        transcoders.put("baseline", baselineClasses + File.pathSeparator + classPath);
        transcoders.put("this tree", classPath);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (Payload payload : payloads) {
            System.out.printf("%s: %d bodies, %d bytes each on average%n", payload.name(), payload.bodies().size(),
                    payload.bodies().stream().mapToInt(b -> b.length).sum() / payload.bodies().size());
        }
        System.out.println(rounds + " rounds of " + String.join(" / ", transcoders.keySet()) + " per JIT, each child "
                + WARM_UP_SECONDS + " s warm-up then " + RUNS + " runs; the thread's CPU ns per export");
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        Map<String, Double> fastest = new LinkedHashMap<>(); // the run least disturbed by other processes
        Map<String, String> checksums = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (var jit : JITS.entrySet()) {
                for (var transcoder : transcoders.entrySet()) { // A then B, round after round: drift affects both
                    var command = new ArrayList<String>();
                    command.add(java);
                    command.addAll(GC);
                    command.addAll(jit.getValue());
                    command.addAll(List.of("-cp", transcoder.getValue(), BenchJsonTranscoding.class.getName(), "run",
                            payloadFile.toString()));
                    Map<String, List<Double>> runs = new LinkedHashMap<>();
                    String origin = null;
                    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
                    try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            String[] words = line.split(" ");
                            switch (words[0]) {
                                case "run" -> runs.computeIfAbsent(words[1], k -> new ArrayList<>())
                                        .add(Double.parseDouble(words[2]));
                                case "checksum" -> {
                                    String previous = checksums.putIfAbsent(words[1], words[2]);
                                    if (previous != null && !previous.equals(words[2])) {
                                        throw new IllegalStateException("the transcoders write different bytes for "
                                                + words[1]);
                                    }
                                }
                                case "transcoder" -> origin = line;
                                case "sink" -> { }
                                default -> System.out.println("  child: " + line);
                            }
                        }
                    }
                    if (child.waitFor() != 0 || runs.size() != payloads.size()) {
                        throw new IllegalStateException("child failed: " + command);
                    }
                    boolean baseline = origin.contains(baselineClasses.getFileName().toString());
                    if (baseline != transcoder.getKey().equals("baseline")) {
                        throw new IllegalStateException("wrong transcoder loaded: " + origin);
                    }
                    for (var payload : runs.entrySet()) {
                        String key = jit.getKey() + ", " + payload.getKey() + ", " + transcoder.getKey();
                        double median = median(payload.getValue());
                        medians.computeIfAbsent(key, k -> new ArrayList<>()).add(median);
                        fastest.merge(key, payload.getValue().stream().mapToDouble(Double::doubleValue).min()
                                .orElseThrow(), Math::min);
                        System.out.printf("round %d  %-36s median %8.0f  (runs %s)%n", round, key, median,
                                Arrays.toString(payload.getValue().stream().mapToLong(Math::round).toArray()));
                    }
                }
            }
        }
        System.out.println("median of the children's medians, CPU ns per export (both wrote the same bytes):");
        for (var jit : JITS.keySet()) {
            for (Payload payload : payloads) {
                String prefix = jit + ", " + payload.name() + ", ";
                double before = median(medians.get(prefix + "baseline"));
                double after = median(medians.get(prefix + "this tree"));
                System.out.printf("  %-10s %-8s baseline %8.0f   this tree %8.0f   (this tree / baseline %.2f)"
                        + "   fastest runs %6.0f / %6.0f%n", jit, payload.name(), before, after, after / before,
                        fastest.get(prefix + "baseline"), fastest.get(prefix + "this tree"));
            }
        }
        Files.delete(payloadFile);
        try (Stream<Path> files = Files.walk(baselineClasses)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
