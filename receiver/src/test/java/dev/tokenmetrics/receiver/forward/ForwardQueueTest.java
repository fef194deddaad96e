package dev.tokenmetrics.receiver.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarding queue's contract: order, batches, the cursor across restarts, torn tails, damage, the bound. */
class ForwardQueueTest {

    private static final long MAX = 1L << 20;

    @TempDir
    Path dir;

    private static byte[] body(int n) {
        return ("export-" + n + "-" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> drain(ForwardQueue queue) throws Exception {
        var seen = new ArrayList<String>();
        ForwardQueue.Batch batch;
        while ((batch = queue.next(1000, 1 << 20, 0)) != null) {
            batch.bodies().forEach(body -> seen.add(new String(body, StandardCharsets.UTF_8).split("-x")[0]));
            queue.acknowledge(batch);
        }
        return seen;
    }

    private static List<String> names(int from, int to) {
        var names = new ArrayList<String>();
        for (int i = from; i < to; i++) {
            names.add("export-" + i);
        }
        return names;
    }

    @Test
    void recordsComeBackInOrderBatchedBySignal() throws Exception {
        try (var queue = ForwardQueue.open(dir, MAX)) {
            queue.append(Signal.METRICS, body(0));
            queue.append(Signal.METRICS, body(1));
            queue.append(Signal.LOGS, body(2));
            queue.append(Signal.METRICS, body(3));
            ForwardQueue.Batch first = queue.next(100, 1 << 20, 0);
            assertEquals(Signal.METRICS, first.signal());
            assertEquals(2, first.bodies().size());
            assertArrayEquals(body(1), first.bodies().get(1));
            assertEquals(first.from(), queue.next(100, 1 << 20, 0).from(), "unacknowledged: the same batch again");
            queue.acknowledge(first);
            ForwardQueue.Batch second = queue.next(100, 1 << 20, 0);
            assertEquals(Signal.LOGS, second.signal());
            queue.acknowledge(second);
            assertEquals(1, queue.stats().records());
            assertEquals(List.of("export-3"), drain(queue));
            assertEquals(0, queue.stats().records());
        }
    }

    @Test
    void theCursorSurvivesARestart() throws Exception {
        try (var queue = ForwardQueue.open(dir, MAX)) {
            for (int i = 0; i < 10; i++) {
                queue.append(Signal.METRICS, body(i));
            }
            ForwardQueue.Batch batch = queue.next(4, 1 << 20, 0);
            queue.acknowledge(batch);
        }
        try (var queue = ForwardQueue.open(dir, MAX)) {
            assertEquals(6, queue.stats().records());
            assertEquals(names(4, 10), drain(queue), "nothing sent twice, nothing lost");
            queue.append(Signal.METRICS, body(10));
        }
        try (var queue = ForwardQueue.open(dir, MAX)) {
            assertEquals(List.of("export-10"), drain(queue));
        }
    }

    @Test
    void aTornTailIsCutOffAndAppendsFollowTheIntactRecords() throws Exception {
        try (var queue = ForwardQueue.open(dir, MAX)) {
            for (int i = 0; i < 3; i++) {
                queue.append(Signal.METRICS, body(i));
            }
        }
        Path segment = onlySegment();
        byte[] partial = QueueSegment.frame(Signal.METRICS, body(3));
        Files.write(segment, java.util.Arrays.copyOf(partial, partial.length / 2), StandardOpenOption.APPEND);
        try (var queue = ForwardQueue.open(dir, MAX)) {
            assertEquals(3, queue.stats().records());
            queue.append(Signal.METRICS, body(4));
            assertEquals(List.of("export-0", "export-1", "export-2", "export-4"), drain(queue));
        }
    }

    @Test
    void damageCostsOnlyTheDamagedRecord() throws Exception {
        try (var queue = ForwardQueue.open(dir, MAX)) {
            for (int i = 0; i < 5; i++) {
                queue.append(Signal.METRICS, body(i));
            }
        }
        Path segment = onlySegment();
        int recordBytes = QueueSegment.frame(Signal.METRICS, body(0)).length;
        long secondPayload = QueueSegment.HEADER_BYTES + recordBytes + QueueSegment.FRAME_BYTES + 20;
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {'#'}), secondPayload); // a flipped byte: the CRC catches it
        }
        try (var queue = ForwardQueue.open(dir, MAX)) {
            assertEquals(4, queue.stats().records());
            assertEquals(List.of("export-0", "export-2", "export-3", "export-4"), drain(queue));
        }
    }

    @Test
    void aDamagedCursorSendsFromTheOldestRecordKept() throws Exception {
        try (var queue = ForwardQueue.open(dir, MAX)) {
            for (int i = 0; i < 3; i++) {
                queue.append(Signal.METRICS, body(i));
            }
            queue.acknowledge(queue.next(1, 1 << 20, 0));
        }
        byte[] cursor = Files.readAllBytes(dir.resolve("cursor"));
        cursor[13] ^= 1;
        Files.write(dir.resolve("cursor"), cursor);
        try (var queue = ForwardQueue.open(dir, MAX)) {
            assertEquals(names(0, 3), drain(queue), "sent again rather than lost: the upstream dedups retries");
        }
    }

    @Test
    void aFullQueueDropsTheOldestAndCountsThem() throws Exception {
        long max = 64 << 10; // segments of 16 KiB
        int appended = 0;
        try (var queue = ForwardQueue.open(dir, max)) {
            queue.append(Signal.METRICS, body(appended++));
            queue.acknowledge(queue.next(1, 1 << 20, 0)); // one sent before the queue filled
            while (queue.stats().dropped() == 0) {
                assertTrue(queue.append(Signal.METRICS, body(appended++)), "appends never fail for a full queue");
            }
            for (int i = 0; i < 1000; i++) {
                queue.append(Signal.METRICS, body(appended++));
            }
            ForwardQueue.Stats stats = queue.stats();
            assertTrue(stats.bytes() <= max, "bounded: " + stats.bytes());
            List<String> sent = drain(queue);
            assertEquals(appended - 1, stats.dropped() + sent.size(), "every unsent record is dropped or kept");
            assertEquals(names((int) (appended - sent.size()), appended), sent, "the newest are kept, in order");
            assertTrue(segments().size() <= 2, "sent segments deleted: " + segments());
        }
    }

    @Test
    void aWaitingSenderWakesForAnAppend() throws Exception {
        try (var queue = ForwardQueue.open(dir, MAX)) {
            var waiter = new Thread(() -> queue.append(Signal.LOGS, body(7)));
            waiter.start();
            ForwardQueue.Batch batch = queue.next(10, 1 << 20, 10_000);
            assertEquals(Signal.LOGS, batch.signal());
            waiter.join();
            assertEquals(batch.to(), queue.next(10, 1 << 20, 0).to(), "not yet acknowledged: the same batch again");
        }
    }

    @Test
    void aGroupIsWrittenInOrderAcrossSegmentsAsOneAppendAtATimeWouldBe() throws Exception {
        long max = 64 << 10; // segments of 16 KiB: a group of 1,000 records spans several and fills the queue
        var group = new ArrayList<ForwardQueue.Export>();
        for (int i = 0; i < 1000; i++) {
            group.add(new ForwardQueue.Export(i % 3 == 0 ? Signal.LOGS : Signal.METRICS, body(i)));
        }
        try (var grouped = ForwardQueue.open(dir.resolve("grouped"), max);
             var single = ForwardQueue.open(dir.resolve("single"), max)) {
            boolean[] written = grouped.append(group.subList(0, 100));
            for (boolean each : written) {
                assertTrue(each);
            }
            assertEquals(100, grouped.stats().records());
            grouped.append(group.subList(100, 1000));
            group.forEach(export -> single.append(export.signal(), export.body()));
            assertEquals(single.stats(), grouped.stats(), "the same drops and bytes as one append at a time");
            assertTrue(grouped.stats().dropped() > 0, "the bound reached within the group");
            List<String> sent = drain(grouped);
            assertEquals(drain(single), sent);
            assertEquals(names(1000 - sent.size(), 1000), sent, "the newest kept, in order");
        }
        try (var reopened = ForwardQueue.open(dir.resolve("grouped"), max)) {
            assertEquals(0, reopened.stats().records(), "every record intact on disk: nothing torn, nothing unsent");
        }
    }

    @Test
    void aGroupLargerThanTheStagingBufferTakesSeveralWritesAndAnExportLargerThanItGoesAlone() throws Exception {
        byte[] large = new byte[ForwardQueue.STAGING_BYTES + 1000];
        java.util.Arrays.fill(large, (byte) 'L');
        var group = new ArrayList<ForwardQueue.Export>();
        for (int i = 0; i < 3000; i++) { // about 340 KiB
            group.add(new ForwardQueue.Export(Signal.METRICS, i == 1500 ? large : body(i)));
        }
        try (var queue = ForwardQueue.open(dir, 64L << 20)) {
            queue.append(group);
        }
        try (var queue = ForwardQueue.open(dir, 64L << 20)) { // read back from disk, CRCs checked
            assertEquals(3000, queue.stats().records());
            var bodies = new ArrayList<byte[]>();
            ForwardQueue.Batch batch;
            while ((batch = queue.next(1000, 4 << 20, 0)) != null) {
                bodies.addAll(batch.bodies());
                queue.acknowledge(batch);
            }
            assertEquals(3000, bodies.size());
            for (int i = 0; i < 3000; i++) {
                assertArrayEquals(group.get(i).body(), bodies.get(i), "export " + i);
            }
        }
    }

    @Test
    void aClosedQueueWritesNothingAndCountsEveryExportOfAGroup() throws Exception {
        var queue = ForwardQueue.open(dir, MAX);
        queue.close();
        boolean[] written = queue.append(List.of(new ForwardQueue.Export(Signal.METRICS, body(0)),
                new ForwardQueue.Export(Signal.LOGS, body(1))));
        assertArrayEquals(new boolean[] {false, false}, written);
        assertEquals(2, queue.stats().appendFailures());
    }

    private Path onlySegment() throws IOException {
        List<Path> segments = segments();
        assertEquals(1, segments.size());
        return segments.get(0);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> QueueSegment.sequenceOf(file) >= 0).sorted().toList();
        }
    }
}
