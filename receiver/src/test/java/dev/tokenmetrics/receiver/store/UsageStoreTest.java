package dev.tokenmetrics.receiver.store;

import static dev.tokenmetrics.receiver.Otlp.CUMULATIVE;
import static dev.tokenmetrics.receiver.Otlp.DELTA;
import static dev.tokenmetrics.receiver.Otlp.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsageStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static UsageBatch batch(ExportMetricsServiceRequest request) {
        return Otlp.extract(request).batch();
    }

    private static UsageBatch delta(String session, int second, long input) {
        return batch(usage(session, "m", DELTA, T0.plusSeconds(second - 1), T0.plusSeconds(second), input, 0, 0, 0, 0.01));
    }

    private List<Path> segments() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("journal-")).sorted().toList();
        }
    }

    private static long input(UsageStore store, String session) {
        return store.report().session(session).usage().tokens().input();
    }

    @Test
    void acknowledgedBatchesSurviveAReopenWithoutASnapshot() throws Exception {
        UsageStore store = UsageStore.open(dir, CLOCK);
        store.record(delta("s1", 1, 100)).get();
        store.record(delta("s1", 2, 20)).get();
        // no close(): as after kill -9, only the journal holds the data

        UsageStore reopened = UsageStore.open(dir, CLOCK);
        assertEquals(120, input(reopened, "s1"));
    }

    @Test
    void closeWritesASnapshotThatTheNextOpenContinuesFrom() throws Exception {
        try (UsageStore store = UsageStore.open(dir, CLOCK)) {
            store.record(batch(usage("s1", "m", CUMULATIVE, T0, T0.plusSeconds(5), 100, 0, 0, 0, 0.1))).get();
        }
        assertTrue(Files.exists(dir.resolve("state.bin")));
        for (Path segment : segments()) {
            assertTrue(Journal.read(segment).records().isEmpty(), "the snapshot holds everything; the journal holds nothing");
        }

        try (UsageStore store = UsageStore.open(dir, CLOCK)) {
            store.record(batch(usage("s1", "m", CUMULATIVE, T0, T0.plusSeconds(10), 130, 0, 0, 0, 0.13))).get();
            assertEquals(130, input(store, "s1"), "the cumulative stream continues: its increase is 30, not 130");
        }
    }

    @Test
    void closeEndsTheCommitterWhileItWaitsOnAnEmptyQueue() throws Exception {
        long before = liveCommitters();
        UsageStore store = UsageStore.open(dir, CLOCK);
        store.record(delta("s1", 1, 100)).get();
        assertEquals(before + 1, liveCommitters());

        store.close(); // the committer waits without a timeout, so that an idle daemon does not wake: close wakes it

        assertEquals(before, liveCommitters());
    }

    private static long liveCommitters() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("journal-committer") && thread.isAlive()).count();
    }

    @Test
    void aTornRecordAtTheEndOfTheJournalIsDropped() throws Exception {
        UsageStore store = UsageStore.open(dir, CLOCK);
        store.record(delta("s1", 1, 100)).get();
        store.record(delta("s1", 2, 5)).get();
        Path journal = segments().get(segments().size() - 1);
        long complete = Files.size(journal);
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            // The last record was being written when the power went: it and the zeros after it are cut short.
            channel.truncate(complete - 20 - 3);
        }

        UsageStore reopened = UsageStore.open(dir, CLOCK);
        assertEquals(100, input(reopened, "s1"));
        reopened.record(delta("s1", 3, 1)).get();
        assertEquals(101, input(UsageStore.open(dir, CLOCK), "s1"), "appends continue after the cut");
    }

    @Test
    void aCrashAfterTheSnapshotButBeforeItsSegmentsAreDeletedDoesNotReplayThem() throws Exception {
        UsageStore store = UsageStore.open(dir, CLOCK);
        store.record(delta("s1", 1, 100)).get();
        Path segment = segments().get(0);
        byte[] covered = Files.readAllBytes(segment);
        store.close(); // snapshot covering the segment, which is then deleted
        Files.write(segment, covered); // as if the deletion had never happened

        UsageStore reopened = UsageStore.open(dir, CLOCK);
        assertEquals(100, input(reopened, "s1"));
        assertTrue(Files.notExists(segment), "the covered segment is set aside for reuse on open");
    }

    @Test
    void aRecycledSegmentsOldRecordsAreNeverReplayed() throws Exception {
        UsageStore store = UsageStore.open(dir, CLOCK);
        for (int i = 1; i <= 50; i++) {
            store.record(delta("s1", i, 1)).get();
        }
        store.close(); // covers the segment and recycles it as a spare
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("spare-")), "a spare exists");
        }

        UsageStore reopened = UsageStore.open(dir, CLOCK); // reuses the spare, full of old records
        reopened.record(delta("s1", 51, 1)).get();
        // no close(): recovery must read the reused segment and stop at its first stale record
        assertEquals(51, input(UsageStore.open(dir, CLOCK), "s1"));
    }

    @Test
    void concurrentBatchesAreAllDurableAndCounted() throws Exception {
        UsageStore store = UsageStore.open(dir, CLOCK);
        var futures = new java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Integer>>();
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < 8; t++) {
            String session = "s" + t;
            threads.add(new Thread(() -> {
                for (int i = 1; i <= 200; i++) {
                    futures.add(store.record(delta(session, i, 1)));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1600, futures.size());
        for (CompletableFuture<Integer> future : futures) {
            assertEquals(5, future.get());
        }
        UsageStore reopened = UsageStore.open(dir, CLOCK);
        for (int t = 0; t < 8; t++) {
            assertEquals(200, input(reopened, "s" + t));
        }
    }

    @Test
    void cuttingTheJournalKeepsEverythingAndDropsCoveredSegments() throws Exception {
        var changes = new AtomicInteger();
        UsageStore store = UsageStore.open(dir, CLOCK);
        store.addListener(commit -> changes.addAndGet(commit.changed()));
        int perBatch = BatchCodec.encode(delta("s1", 1, 1)).length + 8;
        int batches = (int) (3 * UsageStore.CUT_AFTER_BYTES / perBatch);
        CompletableFuture<Integer> last = null;
        for (int i = 1; i <= batches; i++) {
            last = store.record(delta("s1", i, 1));
        }
        last.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long journalFiles;
        do { // the background snapshot writer recycles covered segments
            try (var files = Files.list(dir)) {
                journalFiles = files.filter(f -> f.getFileName().toString().matches("(spare-)?journal-.*")).count();
            }
        } while (journalFiles > 4 && System.nanoTime() < deadline);
        assertTrue(journalFiles <= 4, "covered segments are recycled or removed, not kept: " + journalFiles);
        assertTrue(Files.exists(dir.resolve("state.bin")));
        assertTrue(changes.get() > 0);

        UsageReport report = UsageStore.open(dir, CLOCK).report(); // as after kill -9: no close()
        assertEquals(batches, report.session("s1").usage().tokens().input());
    }

    @Test
    void aCommitSlowerThanTheStoresWaitAtCloseKeepsItsSegmentAndIsAnsweredAsDurable() throws Exception {
        var disk = new FailingChannel.Disk();
        UsageStore store = UsageStore.open(dir, CLOCK, new Problems(), FailingChannel.opener(disk));
        store.record(delta("s1", 1, 100)).get();
        var slow = new CountDownLatch(1);
        disk.slowSync = slow;
        CompletableFuture<Integer> inFlight = store.record(delta("s1", 2, 20));
        disk.syncing.await(); // the committer is inside the fsync
        store.close(); // gives up waiting for it after a while: the disk is slow
        disk.slowSync = null;
        slow.countDown();
        // Written and synced: answered as durable, not refused (a refusal would be sent again, and counted twice
        // once the journal is replayed), because closing left the committer's segment open for it.
        inFlight.get(10, TimeUnit.SECONDS); // throws for a refusal
        assertEquals(120, input(UsageStore.open(dir, CLOCK), "s1"), "replayed once");
    }

    @ParameterizedTest
    @ValueSource(strings = {"full disk", "failing fsync", "full disk that cannot cut the torn write off"})
    void anExportThatCannotBeMadeDurableCountsNowhereAndEveryAcknowledgedOneSurvives(String fault) throws Exception {
        var disk = new FailingChannel.Disk();
        var problems = new Problems();
        UsageStore store = UsageStore.open(dir, CLOCK, problems, FailingChannel.opener(disk));
        store.record(delta("s1", 1, 100)).get();

        disk.full = fault.contains("full");
        disk.failingSync = fault.contains("fsync");
        disk.failingTruncate = fault.contains("cannot cut");
        CompletableFuture<Integer> refused = store.record(delta("s1", 2, 20));
        assertThrows(ExecutionException.class, refused::get, "answered 503");
        assertThrows(ExecutionException.class, () -> store.record(delta("s1", 3, 20)).get(), "until the disk heals");
        assertEquals(100, input(store, "s1"), "a refused export counts nowhere, not even in memory");
        assertTrue(problems.current().get(0).startsWith("journal: cannot make exports durable"), problems.current()
                .toString());

        disk.full = false;
        disk.failingSync = false;
        disk.failingTruncate = false;
        store.record(delta("s1", 4, 3)).get();
        assertEquals(103, input(store, "s1"));
        assertTrue(problems.current().isEmpty(), "cleared once exports are durable again: " + problems.current());

        var recovered = new Problems();
        UsageStore reopened = UsageStore.open(dir, CLOCK, recovered); // no close(): as after kill -9
        assertEquals(103, input(reopened, "s1"), "exactly the acknowledged exports");
        if (fault.contains("cannot cut")) {
            assertTrue(recovered.current().get(0).startsWith("journal recovery: 1 unreadable"),
                    "the torn write that could not be cut off is reported, not hidden: " + recovered.current());
        } else {
            assertTrue(recovered.current().isEmpty(), recovered.current().toString());
        }
    }

    @Test
    void aDamagedRecordInTheMiddleCostsOnlyThatRecordAndIsReported() throws Exception {
        UsageStore store = UsageStore.open(dir, CLOCK);
        for (int i = 1; i <= 3; i++) {
            store.record(delta("s" + i, 1, 10 * i)).get();
        }
        Path segment = segments().get(0);
        byte[] bytes = Files.readAllBytes(segment);
        int secondRecordPayload = 12 + 20 + BatchCodec.encode(delta("s1", 1, 10)).length + 20 + 5;
        bytes[secondRecordPayload] ^= 1;
        Files.write(segment, bytes);

        var problems = new Problems();
        UsageStore reopened = UsageStore.open(dir, CLOCK, problems);
        assertEquals(10, input(reopened, "s1"));
        assertEquals(null, reopened.report().session("s2"), "the damaged record is lost");
        assertEquals(30, input(reopened, "s3"), "the record after the damage is kept");
        assertTrue(problems.current().get(0).startsWith("journal recovery: 1 unreadable stretch"),
                problems.current().toString());
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("damaged-" + segment.getFileName())),
                    "a copy of the damaged segment is kept for inspection");
        }
    }

    @Test
    void coveredSegmentsAreRecycledOnlyOnceEveryOutputHasMadeTheirCommitsDurable() throws Exception {
        var asked = new java.util.concurrent.LinkedBlockingQueue<Long>();
        var release = new CountDownLatch(1);
        UsageStore store = UsageStore.open(dir, CLOCK);
        store.addListener(new CommitListener() {
            @Override
            public void committed(Commit commit) {
            }

            @Override
            public boolean awaitDurable(long sequence, java.time.Duration timeout) {
                asked.add(sequence);
                try {
                    return release.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return false;
                }
            }
        });
        int perBatch = BatchCodec.encode(delta("s1", 1, 1)).length + 20;
        int batches = (int) (UsageStore.CUT_AFTER_BYTES / perBatch) * 3 / 2; // one cut, not two
        CompletableFuture<Integer> last = null;
        for (int i = 1; i <= batches; i++) {
            last = store.record(delta("s1", i, 1));
        }
        last.get();
        Path first = Journal.pathOf(dir, 1);

        Long covered = asked.poll(10, TimeUnit.SECONDS);
        assertTrue(covered != null && covered > 0, "the output is asked to make the covered commits durable");
        assertTrue(Files.exists(first), "the covered segment stays while the output has not answered");

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(first) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(Files.notExists(first), "recycled once it has");
        store.close();
    }

    /**
     * The outputs hear of a commit one after another; the forwarder, last, answers the group's exports once it has
     * queued them. An output that throws, even an Error, must not keep the commit from those after it nor end the
     * committer, and must not fail unseen.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Error", "RuntimeException"})
    void anOutputThatThrowsKeepsNoCommitFromTheOutputsAfterItAndIsReported(String fault) throws Exception {
        var logged = new java.util.concurrent.LinkedBlockingQueue<java.util.logging.LogRecord>();
        var log = java.util.logging.Logger.getLogger(UsageStore.class.getName());
        var handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        var problems = new Problems();
        try (UsageStore store = UsageStore.open(dir, CLOCK, problems)) {
            store.addListener(commit -> {
                if (fault.equals("Error")) {
                    throw new AssertionError("a bug in an output");
                }
                throw new IllegalStateException("a bug in an output");
            });
            var heard = new java.util.concurrent.LinkedBlockingQueue<Commit>();
            store.addListener(heard::add);

            store.record(delta("s1", 1, 100)).get(10, TimeUnit.SECONDS);
            Commit first = heard.poll(10, TimeUnit.SECONDS);
            assertTrue(first != null && first.batches().size() == 1, "the output after the failing one heard of it");
            store.record(delta("s1", 2, 20)).get(10, TimeUnit.SECONDS); // the committer goes on
            assertTrue(heard.poll(10, TimeUnit.SECONDS) != null);
            assertEquals(120, input(store, "s1"));

            assertEquals(1, problems.current().size(), problems.current().toString());
            String problem = problems.current().get(0);
            assertTrue(problem.startsWith("outputs: 2 commit(s) an output failed to take") && problem.contains(
                    "a bug in an output"), problem);
            assertTrue(logged.stream().anyMatch(record -> record.getLevel() == java.util.logging.Level.SEVERE
                    && record.getMessage().contains("failed to take commit 1")
                    && record.getThrown() != null), "a log line with the failure");
        } finally {
            log.removeHandler(handler);
        }
    }

    @Test
    void aCorruptSnapshotIsSetAsideNotSilentlyOverwritten() throws IOException {
        Files.write(dir.resolve("state.bin"), new byte[] {1, 2, 3});
        try (UsageStore store = UsageStore.open(dir, CLOCK)) {
            assertEquals(0, store.sessionCount());
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("state.bin.corrupt-")));
        }
    }
}
