package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes the exports of one commit group of the journal into the forwarding queue with one write, rather than one
 * write each (a write costs the kernel microseconds however little it carries). The journal's committer completes a
 * group's exports one after another, on its own thread, and then tells its listeners that the group is done: an
 * export handed over on that thread waits in a list (the committer's own) until {@link #groupEnded}, which writes them
 * all and then completes their futures, which sends their 200s. So an acknowledged export is in the queue, in the
 * page cache, even if the process dies next. An export handed over on any other thread (those answered without the
 * journal: traces, exports without usage; or any before the first group ended, when the committer is not known yet)
 * is written at once, by itself.
 * <p>
 * Closing: the store closes first and waits for its committer, but gives up after a while (a disk that hangs), and a
 * committer it gave up on may still end a group later, its exports durable in the journal and about to be answered.
 * Those are still written: while the committer lives the queue stays open for it ({@link #close} says whether it
 * can be closed), so an export answered 200 is always in the queue. Any other export handed over after closing is
 * refused (its future fails, the client is answered 503 and sends it again), never answered as if queued.
 */
final class Appender {

    private static final Logger LOG = Logger.getLogger(Appender.class.getName());

    private final ForwardQueue queue;
    /** Orders closing against handing over and against learning which thread the committer is. */
    private final Object lock = new Object();
    /** The thread {@link #groupEnded} runs on: the journal's committer; guarded, never learnt after closing. */
    private Thread committer;
    private boolean closed; // guarded
    /** Handed over during the current group: the committer's (guarded too: close reads them once it has stopped). */
    private List<ForwardQueue.Export> pending = new ArrayList<>();
    private List<CompletableFuture<Boolean>> pendingDone = new ArrayList<>();

    Appender(ForwardQueue queue) {
        this.queue = queue;
    }

    /**
     * Hands an export over; the future says whether it was written (false: counted by the queue). It fails only when
     * the appender was closed first: the export is not queued, and must not be acknowledged.
     */
    CompletableFuture<Boolean> append(Signal signal, byte[] body) {
        synchronized (lock) {
            if (Thread.currentThread() == committer) { // even after closing: the queue stays open while it lives
                var done = new CompletableFuture<Boolean>();
                pending.add(new ForwardQueue.Export(signal, body));
                pendingDone.add(done);
                return done;
            }
            if (closed) {
                return CompletableFuture.failedFuture(new IOException("forwarding has stopped (the receiver is"
                        + " stopping): not queued"));
            }
            return CompletableFuture.completedFuture(queue.append(signal, body));
        }
    }

    /** The committer's group is done: writes what it handed over, then completes their futures. */
    void groupEnded() {
        synchronized (lock) {
            if (committer == null && !closed) {
                committer = Thread.currentThread();
            }
        }
        write();
    }

    /**
     * Writes what was handed over and completes their futures, outside the lock (completing sends the answers). The
     * futures complete whatever happens, an {@code Error} included: an export must never wait for an answer forever.
     */
    private void write() {
        List<ForwardQueue.Export> exports;
        List<CompletableFuture<Boolean>> done;
        synchronized (lock) {
            if (pending.isEmpty()) {
                return;
            }
            exports = pending;
            done = pendingDone;
            pending = new ArrayList<>(exports.size());
            pendingDone = new ArrayList<>(exports.size());
        }
        boolean[] written = new boolean[exports.size()];
        try {
            written = queue.append(exports);
        } catch (RuntimeException e) { // a fault of ours: the exports stay local, their answers go out
            LOG.log(Level.SEVERE, "forwarding queue: could not append " + exports.size() + " export(s)", e);
        } finally {
            for (int i = 0; i < done.size(); i++) {
                done.get(i).complete(written[i]); // sends the export's answer
            }
        }
    }

    /**
     * Stops taking exports from any thread but the committer's. When the committer has stopped (or never ended a
     * group), writes what a group left without its end (only after a fault of the store's) and returns true: nothing
     * writes to the queue any more, it can be closed. False while the committer still runs, inside a group the store
     * gave up waiting for: it writes that group (and any after it) when it ends, so the queue must stay open; the
     * process's exit closes its files.
     */
    boolean close() {
        synchronized (lock) {
            closed = true;
            if (committer != null && committer.isAlive() && committer != Thread.currentThread()) {
                LOG.warning("forwarding: the journal's committer is still running; its last exports are queued when"
                        + " it gets to them");
                return false;
            }
        }
        write(); // after the committer's end (isAlive false): its lists are ours to read
        return true;
    }
}
