package dev.tokenmetrics.receiver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The daemon gives its heap back once quiet after it grew: when, how often, and (in a JVM run with the launcher's
 * flags) that the collections it runs do shrink the heap.
 */
class HeapTrimTest {

    private static final long MIB = 1 << 20;

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong largeAnswers = new AtomicLong();
    private boolean answering;
    private final AtomicLong committed = new AtomicLong(8 * MIB);
    private int collections;
    private final HeapTrim trim = new HeapTrim(requests::get, largeAnswers::get, () -> answering, committed::get,
            () -> {
                collections++;
                committed.set(6 * MIB); // what a full collection leaves
            });

    /** Checks as the server's timer runs them, with {@code perCheck} requests answered before each. */
    private void checks(int count, long perCheck) {
        for (int i = 0; i < count; i++) {
            requests.addAndGet(perCheck);
            trim.check();
        }
    }

    @Test
    void aHeapThatGrewIsTrimmedAfterAQuietMinuteWithFourCollections() {
        committed.set(8 * MIB + HeapTrim.GROWTH);
        checks(HeapTrim.QUIET_CHECKS - 1, 0);
        assertEquals(0, collections, "not before " + HeapTrim.QUIET_CHECKS + " quiet checks");
        checks(1, 0);
        assertEquals(HeapTrim.COLLECTIONS, collections, "a serial collector shrinks over four of them");
        assertEquals(60, HeapTrim.EVERY.toSeconds() * HeapTrim.QUIET_CHECKS);
    }

    @Test
    void notWhileALoadIsAnsweredNorUntilItHasBeenQuietLongEnough() {
        committed.set(20 * MIB);
        checks(20, HeapTrim.QUIET + 1);
        assertEquals(0, collections);
        checks(HeapTrim.QUIET_CHECKS - 1, 0);
        checks(1, HeapTrim.QUIET + 1); // a burst in between starts the quiet over
        checks(HeapTrim.QUIET_CHECKS - 1, 0);
        assertEquals(0, collections);
        checks(1, 0);
        assertEquals(HeapTrim.COLLECTIONS, collections);
    }

    @Test
    void claudeCodesFewExportsEveryFewSecondsAreQuiet() {
        committed.set(20 * MIB);
        checks(HeapTrim.QUIET_CHECKS, 3);
        assertEquals(HeapTrim.COLLECTIONS, collections);
    }

    @Test
    void notBetweenReportsAskedOneAfterAnotherNorDuringALongOne() {
        committed.set(20 * MIB);
        for (int i = 0; i < 20; i++) {
            largeAnswers.incrementAndGet(); // a script's reports, a few seconds apart
            checks(1, 1);
        }
        answering = true; // one that takes two minutes
        checks(2 * HeapTrim.QUIET_CHECKS, 1);
        assertEquals(0, collections);
        answering = false;
        checks(HeapTrim.QUIET_CHECKS, 0);
        assertEquals(HeapTrim.COLLECTIONS, collections, "once they stop");
    }

    @Test
    void theDashboardsPollEveryFiveSecondsIsQuiet() {
        committed.set(20 * MIB);
        checks(HeapTrim.QUIET_CHECKS, 1); // a small answer, not a large one, and not being answered at the check
        assertEquals(HeapTrim.COLLECTIONS, collections);
    }

    @Test
    void aHeapThatDidNotGrowIsLeftAlone() {
        committed.set(8 * MIB + HeapTrim.GROWTH - 1);
        checks(1000, 0);
        assertEquals(0, collections);
    }

    @Test
    void aTrimForGrowthIsFollowedByOneMoreAfterAMinuteQuietThenNoneUntilItGrowsAgain() {
        committed.set(20 * MIB);
        checks(HeapTrim.QUIET_CHECKS, 0);
        assertEquals(HeapTrim.COLLECTIONS, collections);
        checks(HeapTrim.FOLLOW_UP_CHECKS - 1, 0);
        assertEquals(HeapTrim.COLLECTIONS, collections, "the follow-up waits for its own quiet minute");
        checks(1, 0);
        assertEquals(2 * HeapTrim.COLLECTIONS, collections, "what the ledger's writer still held is given back");
        checks(1000, 0);
        assertEquals(2 * HeapTrim.COLLECTIONS, collections, "then nothing while nothing grows");
        committed.set(6 * MIB + HeapTrim.GROWTH);
        checks(HeapTrim.QUIET_CHECKS, 0);
        assertEquals(3 * HeapTrim.COLLECTIONS, collections);
    }

    /** A JVM with the launcher's flags whose heap grew for 48 MB of garbage: its trim gives most of it back. */
    @Test
    void withTheLaunchersFlagsTheCollectionsShrinkTheHeap() throws Exception {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launcherHeapFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Grown.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes()).trim();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        long[] sizes = Arrays.stream(output.split(" ")).mapToLong(Long::parseLong).toArray();
        assertTrue(sizes[0] > 32 * MIB, "the heap grew: " + output);
        assertTrue(sizes[1] < 12 * MIB, "given back by the trim: " + output);
    }

    /** The heap's flags from scripts/token-metrics-receiver, as the daemon runs. */
    private static List<String> launcherHeapFlags() throws IOException {
        Path launcher = Path.of(System.getProperty("user.dir")).resolveSibling("scripts/token-metrics-receiver");
        String script = Files.readString(launcher);
        int flagsAt = script.indexOf("\nflags=(");
        String command = script.substring(flagsAt, script.indexOf(')', flagsAt));
        List<String> flags = Arrays.stream(command.split("\\s+"))
                .filter(flag -> flag.startsWith("-XX:+UseSerialGC") || flag.startsWith("-Xm")
                        || flag.contains("HeapFreeRatio") || flag.contains("ShrinkHeap"))
                .toList();
        assertTrue(flags.contains("-XX:+UseSerialGC") && flags.stream().anyMatch(f -> f.contains("MaxHeapFree")),
                "the launcher's heap flags: " + flags);
        return flags;
    }

    /** Grows its heap with garbage, goes quiet, and prints its committed heap before and after the trim. */
    static final class Grown {
        public static void main(String[] args) {
            var trim = new HeapTrim(() -> 0, () -> 0, () -> false);
            var kept = new ArrayList<byte[]>();
            for (int i = 0; i < 48; i++) {
                kept.add(new byte[1 << 20]);
            }
            long grown = Runtime.getRuntime().totalMemory();
            kept.clear();
            for (int i = 0; i < HeapTrim.QUIET_CHECKS; i++) {
                trim.check();
            }
            System.out.println(grown + " " + Runtime.getRuntime().totalMemory());
        }
    }
}
