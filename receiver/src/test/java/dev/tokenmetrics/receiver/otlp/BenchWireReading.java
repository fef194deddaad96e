package dev.tokenmetrics.receiver.otlp;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.usage.Extraction;
import dev.tokenmetrics.receiver.usage.UsageExtractor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;

/**
 * Benchmark: usage extracted from Claude Code's recorded export (cc-2.1.330-metrics-cumulative.pb) with main's
 * {@link WireReader} against the same API over protobuf's CodedInputStream
 * (src/test/coded-input-stream/.../WireReader.java, compiled here and put first on a child JVM's class path, so that
 * the very same extractor code runs over either, each JVM compiling only one).
 * <p>
 * {@code compare <adapter source> [rounds]} runs child JVMs interleaved, A/B/A/B, with the daemon's JIT flags
 * (C1 only, scripts/token-metrics-receiver) and with the default tiered JIT, and prints every child's median and the
 * median of those per reader and JIT. {@code run} is one child: warm up, then timed runs, each printed.
 * From the repository: {@code mvn -q -o -pl receiver test-compile dependency:build-classpath
 * -Dmdep.outputFile=/tmp/cp.txt}, then {@code java -cp receiver/target/test-classes:receiver/target/classes:$(cat
 * /tmp/cp.txt) dev.tokenmetrics.receiver.otlp.BenchWireReading compare
 * receiver/src/test/coded-input-stream/dev/tokenmetrics/receiver/otlp/WireReader.java}.
 */
public final class BenchWireReading {

    private static final String PAYLOAD = "cc-2.1.330-metrics-cumulative.pb";
    private static final List<String> GC = List.of("-XX:+UseSerialGC", "-Xmn2m", "-Xmx256m");
    private static final Map<String, List<String>> JITS = new LinkedHashMap<>();

    static {
        JITS.put("daemon C1", List.of("-XX:TieredStopAtLevel=1", "-XX:Tier3InvocationThreshold=2000",
                "-XX:Tier3MinInvocationThreshold=1000", "-XX:Tier3CompileThreshold=20000", "-XX:CICompilerCount=1"));
        JITS.put("default", List.of());
    }

    private static final double WARM_UP_SECONDS = 6;
    private static final int RUNS = 11;
    private static final double RUN_SECONDS = 0.3;

    private BenchWireReading() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("run")) {
            run();
        } else if (args.length > 1 && args[0].equals("compare")) {
            compare(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 5);
        } else {
            System.err.println("usage: BenchWireReading compare <adapter WireReader.java> [rounds] | run");
            System.exit(2);
        }
    }

    /** One child: prints its reader's origin, a checksum of what it extracted, and nanoseconds per export per run. */
    private static void run() throws Exception {
        byte[] export = Otlp.resource(PAYLOAD);
        var extractor = new UsageExtractor(Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));
        System.out.println("reader " + WireReader.class.getProtectionDomain().getCodeSource().getLocation());
        System.out.println("checksum " + checksum(extractor.metrics(export)));
        long sink = 0;
        long warmEnd = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        int perRun = 0;
        while (System.nanoTime() < warmEnd) {
            sink += extractor.metrics(export).batch().points().size();
            perRun++;
        }
        perRun = Math.max(1, (int) (perRun / WARM_UP_SECONDS * RUN_SECONDS));
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            for (int i = 0; i < perRun; i++) {
                sink += extractor.metrics(export).batch().points().size();
            }
            System.out.println("run " + (double) (System.nanoTime() - start) / perRun);
        }
        System.out.println("sink " + sink);
    }

    private static long checksum(Extraction extraction) {
        long sum = extraction.rejected();
        for (var point : extraction.batch().points()) {
            sum = sum * 31 + point.stream().hashCode() + Double.hashCode(point.value()) + point.sessionId().hashCode();
        }
        return sum;
    }

    private static void compare(Path adapterSource, int rounds) throws Exception {
        String classPath = System.getProperty("java.class.path");
        Path adapterClasses = Files.createTempDirectory("coded-wire-reader");
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-cp", classPath,
                "-d", adapterClasses.toString(), adapterSource.toString());
        if (compiled != 0) {
            throw new IllegalStateException("the adapter does not compile");
        }
        Map<String, String> readers = new LinkedHashMap<>();
        readers.put("WireReader", classPath);
        readers.put("CodedInputStream", adapterClasses + java.io.File.pathSeparator + classPath);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.println(PAYLOAD + ": " + Otlp.resource(PAYLOAD).length + " bytes; " + rounds + " rounds of "
                + String.join(" / ", readers.keySet()) + " per JIT, each child " + WARM_UP_SECONDS + " s warm-up then "
                + RUNS + " runs of " + RUN_SECONDS + " s; ns per export");
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        Map<String, Double> fastest = new LinkedHashMap<>(); // the run least disturbed by other processes
        Map<String, String> checksums = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (var jit : JITS.entrySet()) {
                for (var reader : readers.entrySet()) { // A then B, round after round: drift affects both
                    var command = new ArrayList<String>();
                    command.add(java);
                    command.addAll(GC);
                    command.addAll(jit.getValue());
                    command.addAll(List.of("-cp", reader.getValue(), BenchWireReading.class.getName(), "run"));
                    List<Double> runs = new ArrayList<>();
                    String checksum = null;
                    String origin = null;
                    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
                    try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            if (line.startsWith("run ")) {
                                runs.add(Double.parseDouble(line.substring(4)));
                            } else if (line.startsWith("checksum ")) {
                                checksum = line;
                            } else if (line.startsWith("reader ")) {
                                origin = line;
                            } else if (!line.startsWith("sink ")) {
                                System.out.println("  child: " + line);
                            }
                        }
                    }
                    if (child.waitFor() != 0 || runs.size() != RUNS) {
                        throw new IllegalStateException("child failed: " + command);
                    }
                    boolean adapter = origin.contains(adapterClasses.getFileName().toString());
                    if (adapter != reader.getKey().equals("CodedInputStream")) {
                        throw new IllegalStateException("wrong reader loaded: " + origin);
                    }
                    String previous = checksums.putIfAbsent("all", checksum);
                    if (previous != null && !previous.equals(checksum)) {
                        throw new IllegalStateException("readers extract different usage: " + previous + " / "
                                + checksum);
                    }
                    double median = median(runs);
                    String key = jit.getKey() + ", " + reader.getKey();
                    medians.computeIfAbsent(key, k -> new ArrayList<>()).add(median);
                    fastest.merge(key, runs.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), Math::min);
                    System.out.printf("round %d  %-28s median %8.0f  (runs %s)%n", round, key, median,
                            Arrays.toString(runs.stream().mapToLong(Math::round).toArray()));
                }
            }
        }
        System.out.println("median of the children's medians, ns per export:");
        for (var jit : JITS.keySet()) {
            double wire = median(medians.get(jit + ", WireReader"));
            double coded = median(medians.get(jit + ", CodedInputStream"));
            System.out.printf("  %-10s WireReader %8.0f   CodedInputStream %8.0f   (CodedInputStream / WireReader %.2f)"
                    + "   fastest runs %6.0f / %6.0f%n", jit, wire, coded, coded / wire,
                    fastest.get(jit + ", WireReader"), fastest.get(jit + ", CodedInputStream"));
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
