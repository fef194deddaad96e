package dev.tokenmetrics.receiver.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appender: an export's future completes once it is in the queue; groups keep their order; close loses none. */
class AppenderTest {

    @TempDir
    Path dir;

    private static byte[] body(int n) {
        return ("export-" + n).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> queued(ForwardQueue queue) throws Exception {
        var seen = new ArrayList<String>();
        ForwardQueue.Batch batch;
        while ((batch = queue.next(1000, 1 << 20, 0)) != null) {
            batch.bodies().forEach(body -> seen.add(new String(body, StandardCharsets.UTF_8)));
            queue.acknowledge(batch);
        }
        return seen;
    }

    @Test
    void anExportIsInTheQueueWhenItsFutureCompletes() throws Exception {
        try (var queue = ForwardQueue.open(dir, 1L << 20); var appender = new Appender(queue)) {
            CompletableFuture<Boolean> written = appender.append(Signal.METRICS, body(0));
            assertTrue(written.get(10, TimeUnit.SECONDS));
            assertEquals(1, queue.stats().records(), "written before the future completed");
            assertEquals(List.of("export-0"), queued(queue));
        }
    }

    @Test
    void exportsHandedOverFromManyThreadsAreAllWrittenEachThreadsInItsOrder() throws Exception {
        int threads = 4;
        int each = 500;
        try (var queue = ForwardQueue.open(dir, 64L << 20)) {
            var futures = new ArrayList<CompletableFuture<Boolean>>();
            var start = new CountDownLatch(1);
            var senders = new ArrayList<Thread>();
            try (var appender = new Appender(queue)) {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    Thread sender = new Thread(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int i = 0; i < each; i++) {
                            CompletableFuture<Boolean> done = appender.append(Signal.LOGS, body(thread * each + i));
                            synchronized (futures) {
                                futures.add(done);
                            }
                        }
                    });
                    senders.add(sender);
                    sender.start();
                }
                start.countDown();
                for (Thread sender : senders) {
                    sender.join();
                }
                for (CompletableFuture<Boolean> done : futures) {
                    assertTrue(done.get(10, TimeUnit.SECONDS));
                }
            }
            List<String> seen = queued(queue);
            assertEquals(threads * each, seen.size());
            for (int t = 0; t < threads; t++) {
                int thread = t;
                List<String> mine = seen.stream().filter(name -> {
                    int n = Integer.parseInt(name.substring("export-".length()));
                    return n / each == thread;
                }).toList();
                var expected = new ArrayList<String>();
                for (int i = 0; i < each; i++) {
                    expected.add("export-" + (thread * each + i));
                }
                assertEquals(expected, mine, "thread " + t + "'s exports in the order it handed them over");
            }
        }
    }

    @Test
    void closeWritesWhatWasHandedOverAndLaterExportsAreCountedNotLost() throws Exception {
        var queue = ForwardQueue.open(dir, 1L << 20);
        var appender = new Appender(queue);
        var handedOver = new ArrayList<CompletableFuture<Boolean>>();
        for (int i = 0; i < 100; i++) {
            handedOver.add(appender.append(Signal.METRICS, body(i)));
        }
        appender.close();
        for (CompletableFuture<Boolean> done : handedOver) {
            assertTrue(done.isDone(), "written before close returned");
            assertTrue(done.get());
        }
        queue.close();
        CompletableFuture<Boolean> late = appender.append(Signal.METRICS, body(100));
        assertTrue(late.isDone(), "answered at once: the export's client must not wait");
        assertFalse(late.get(), "the closed queue could not keep it");
        assertEquals(1, queue.stats().appendFailures());
        try (var reopened = ForwardQueue.open(dir, 1L << 20)) {
            assertEquals(100, reopened.stats().records());
        }
    }
}
