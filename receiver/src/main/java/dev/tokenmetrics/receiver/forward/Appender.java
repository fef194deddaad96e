package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes the exports the receiver made durable into the forwarding queue from its own thread, in groups: whatever
 * was handed over while it wrote the last group goes in the next, with one write where the segments allow (a write
 * costs the kernel microseconds however little it carries, and a commit group of the journal arrives at once). Each
 * export's future completes once its record is written, or could not be (false, counted by the queue): the client's
 * 200 waits for it, so an acknowledged export is in the queue, in the page cache, even if the process dies next. The
 * journal's committer, which every acknowledgement waits for, only hands exports over.
 */
final class Appender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Appender.class.getName());

    private final ForwardQueue queue;
    private final Thread thread;
    private final Object lock = new Object();
    /** Handed over, not yet taken by the thread: guarded by {@link #lock}. */
    private List<ForwardQueue.Export> pending = new ArrayList<>();
    private List<CompletableFuture<Boolean>> pendingDone = new ArrayList<>();
    private boolean closed; // guarded

    Appender(ForwardQueue queue) {
        this.queue = queue;
        this.thread = new Thread(this::run, "forward-appender");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Hands an export over; the future says whether it was written, and never fails. After {@link #close} the
     * export is appended on the caller's thread (the queue, closed by then, counts it as not written).
     */
    CompletableFuture<Boolean> append(Signal signal, byte[] body) {
        var done = new CompletableFuture<Boolean>();
        synchronized (lock) {
            if (!closed) {
                pending.add(new ForwardQueue.Export(signal, body));
                pendingDone.add(done);
                if (pending.size() == 1) {
                    lock.notify(); // the thread waits only for an empty list
                }
                return done;
            }
        }
        done.complete(queue.append(signal, body));
        return done;
    }

    private void run() {
        List<ForwardQueue.Export> writing = new ArrayList<>();
        List<CompletableFuture<Boolean>> writingDone = new ArrayList<>();
        while (true) {
            synchronized (lock) {
                while (pending.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // only close() stops it, once everything handed over is written
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                List<ForwardQueue.Export> exports = pending;
                List<CompletableFuture<Boolean>> done = pendingDone;
                pending = writing;
                pendingDone = writingDone;
                writing = exports;
                writingDone = done;
            }
            boolean[] written = new boolean[writing.size()];
            try {
                written = queue.append(writing);
            } catch (RuntimeException e) { // a fault of ours: the exports stay local, their answers go out
                LOG.log(Level.SEVERE, "forwarding queue: could not append " + writing.size() + " export(s)", e);
            }
            for (int i = 0; i < writingDone.size(); i++) {
                writingDone.get(i).complete(written[i]); // runs the exports' answers
            }
            writing.clear();
            writingDone.clear();
        }
    }

    /** Writes what was handed over, then stops; later exports are appended by their callers. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notify();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
