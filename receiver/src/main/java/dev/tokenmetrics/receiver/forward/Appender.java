package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes the exports of one commit group of the journal into the forwarding queue with one write, rather than one
 * write each (a write costs the kernel microseconds however little it carries). The journal's committer completes a
 * group's exports one after another, on its own thread, and then tells its listeners that the group is done: an
 * export handed over on that thread waits in a list (the committer's own: no lock) until {@link #groupEnded}, which
 * writes them all and then completes their futures, which sends their 200s. So an acknowledged export is in the
 * queue, in the page cache, even if the process dies next. An export handed over on any other thread (those answered
 * without the journal: traces, exports without usage; or any before the first group ended, when the committer is not
 * known yet) is written at once, by itself.
 */
final class Appender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Appender.class.getName());

    private final ForwardQueue queue;
    /** The thread {@link #groupEnded} runs on: the journal's committer. */
    private volatile Thread committer;
    /** Handed over during the current group: the committer's. */
    private List<ForwardQueue.Export> pending = new ArrayList<>();
    private List<CompletableFuture<Boolean>> pendingDone = new ArrayList<>();

    Appender(ForwardQueue queue) {
        this.queue = queue;
    }

    /** Hands an export over; the future says whether it was written (false: counted by the queue), never fails. */
    CompletableFuture<Boolean> append(Signal signal, byte[] body) {
        if (Thread.currentThread() != committer) {
            return CompletableFuture.completedFuture(queue.append(signal, body));
        }
        var done = new CompletableFuture<Boolean>();
        pending.add(new ForwardQueue.Export(signal, body));
        pendingDone.add(done);
        return done;
    }

    /** The committer's group is done: writes what it handed over, then completes their futures. */
    void groupEnded() {
        committer = Thread.currentThread();
        write();
    }

    private void write() {
        if (pending.isEmpty()) {
            return;
        }
        List<ForwardQueue.Export> exports = pending;
        List<CompletableFuture<Boolean>> done = pendingDone;
        pending = new ArrayList<>(exports.size());
        pendingDone = new ArrayList<>(exports.size());
        boolean[] written = new boolean[exports.size()];
        try {
            written = queue.append(exports);
        } catch (RuntimeException e) { // a fault of ours: the exports stay local, their answers go out
            LOG.log(Level.SEVERE, "forwarding queue: could not append " + exports.size() + " export(s)", e);
        }
        for (int i = 0; i < done.size(); i++) {
            done.get(i).complete(written[i]); // sends the export's answer
        }
    }

    /**
     * Writes what a group left without its end (only after a fault of the store's); call once the committer has
     * stopped.
     */
    @Override
    public void close() {
        write();
    }
}
