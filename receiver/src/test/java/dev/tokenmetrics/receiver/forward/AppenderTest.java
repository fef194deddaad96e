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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appender: on the committer's thread a group's exports wait for the group's end and go into the queue together,
 * in order, before any of them is answered; on any other thread an export is written at once.
 */
class AppenderTest {

    @TempDir
    Path dir;

    /** Stands in for the journal's committer: one thread, tasks run one after another. */
    private final ExecutorService committer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        committer.shutdownNow();
    }

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

    private <T> T onCommitter(java.util.concurrent.Callable<T> task) throws Exception {
        return committer.submit(task).get(10, TimeUnit.SECONDS);
    }

    /** Ends the committer's thread, as the store's close does when the committer finishes in time (it joins it). */
    private void stopCommitter() throws Exception {
        Thread thread = onCommitter(Thread::currentThread);
        committer.shutdown();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(thread.isAlive());
    }

    @Test
    void beforeTheCommitterIsKnownAndOnAnyOtherThreadAnExportIsWrittenAtOnce() throws Exception {
        try (var queue = ForwardQueue.open(dir, 1L << 20)) {
            var appender = new Appender(queue);
            CompletableFuture<Boolean> first = onCommitter(() -> appender.append(Signal.METRICS, body(0)));
            assertTrue(first.isDone(), "no group has ended yet: the committer is not known");
            onCommitter(() -> {
                appender.groupEnded();
                return null;
            });
            CompletableFuture<Boolean> trace = appender.append(Signal.TRACES, body(1)); // an event loop's thread
            assertTrue(trace.isDone() && trace.get());
            assertEquals(List.of("export-0", "export-1"), queued(queue));
        }
    }

    @Test
    void aGroupsExportsAreWrittenTogetherAtItsEndAndOnlyThenAnswered() throws Exception {
        try (var queue = ForwardQueue.open(dir, 1L << 20)) {
            var appender = new Appender(queue);
            onCommitter(() -> {
                appender.groupEnded(); // the first group: now the committer is known
                return null;
            });
            var answered = new ArrayList<String>();
            List<CompletableFuture<Boolean>> group = onCommitter(() -> {
                var futures = new ArrayList<CompletableFuture<Boolean>>();
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    futures.add(appender.append(i % 2 == 0 ? Signal.METRICS : Signal.LOGS, body(i))
                            .thenApply(written -> {
                                answered.add("export-" + n + " queued " + queue.stats().records());
                                return written;
                            }));
                }
                return futures;
            });
            for (CompletableFuture<Boolean> future : group) {
                assertFalse(future.isDone(), "waits for the group's end");
            }
            assertEquals(0, queue.stats().records());
            onCommitter(() -> {
                appender.groupEnded();
                return null;
            });
            for (CompletableFuture<Boolean> future : group) {
                assertTrue(future.get(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of("export-0 queued 5", "export-1 queued 5", "export-2 queued 5", "export-3 queued 5",
                    "export-4 queued 5"), answered, "each answered after the whole group was written, in order");
            assertEquals(List.of("export-0", "export-1", "export-2", "export-3", "export-4"), queued(queue));
        }
    }

    @Test
    void closeWritesWhatAGroupLeftAndRefusesLaterExportsRatherThanAnswerThemUnqueued() throws Exception {
        var queue = ForwardQueue.open(dir, 1L << 20);
        var appender = new Appender(queue);
        onCommitter(() -> {
            appender.groupEnded();
            return null;
        });
        CompletableFuture<Boolean> left = onCommitter(() -> appender.append(Signal.METRICS, body(0)));
        stopCommitter();
        assertTrue(appender.close(), "the committer has stopped: the queue can be closed");
        assertTrue(left.get(10, TimeUnit.SECONDS), "written by close");
        queue.close();
        CompletableFuture<Boolean> late = appender.append(Signal.METRICS, body(1));
        assertTrue(late.isCompletedExceptionally(), "refused at once: not queued, so never answered 200");
        assertEquals(0, queue.stats().appendFailures(), "refused, not a write that failed");
        try (var reopened = ForwardQueue.open(dir, 1L << 20)) {
            assertEquals(List.of("export-0"), queued(reopened));
        }
    }

    /**
     * The store gives up waiting for its committer at close (a disk that hangs), and closes its outputs: a committer
     * still inside a group may end it later, its exports durable in the journal and answered once queued. They must
     * be in the queue, whole; an export of any other thread after closing is refused, not answered as if queued.
     */
    @Test
    void aCommitterThatOutlivesTheStoresWaitStillQueuesItsGroupAndNothingElseIsTaken() throws Exception {
        var queue = ForwardQueue.open(dir, 1L << 20);
        var appender = new Appender(queue);
        onCommitter(() -> {
            appender.groupEnded();
            return null;
        });
        var inside = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        Future<List<CompletableFuture<Boolean>>> group = committer.submit(() -> {
            var futures = new ArrayList<CompletableFuture<Boolean>>();
            futures.add(appender.append(Signal.METRICS, body(0)));
            inside.countDown();
            release.await(); // stuck: the next batch's fsync hangs, and the store's close gives up waiting
            futures.add(appender.append(Signal.LOGS, body(1)));
            appender.groupEnded();
            return futures;
        });
        assertTrue(inside.await(10, TimeUnit.SECONDS));

        assertFalse(appender.close(), "the committer is inside a group: the queue must stay open for it");
        CompletableFuture<Boolean> trace = appender.append(Signal.TRACES, body(2)); // an event loop's, after closing
        assertTrue(trace.isCompletedExceptionally(), "refused: answered 503, sent again to the next start");

        release.countDown();
        for (CompletableFuture<Boolean> future : group.get(10, TimeUnit.SECONDS)) {
            assertTrue(future.get(10, TimeUnit.SECONDS), "queued, so its 200 may go out");
        }
        stopCommitter();
        assertTrue(appender.close(), "the committer has stopped: now the queue can be closed");
        queue.close();
        try (var reopened = ForwardQueue.open(dir, 1L << 20)) {
            assertEquals(List.of("export-0", "export-1"), queued(reopened), "the group whole, nothing else");
            assertEquals(0, reopened.stats().dropped());
        }
    }
}
