package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.Signal;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Forwards every export the receiver made durable to the team's collector: {@link #enqueue} hands it to the
 * {@link Appender}, which writes it into the {@link ForwardQueue} with the others of its commit group (one write,
 * never a wait for the upstream), and one sender thread takes the queue's oldest records, a batch
 * of one signal at a time, adds the resource attributes ({@link ResourceStamp}) and posts them ({@link Upstream}),
 * retrying with backoff until they are sent or refused for good. Consecutive exports of a signal go as one request:
 * protobuf's repeated fields concatenate, so their bytes one after the other are one export of all their resources.
 */
public final class Forwarder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());
    static final int BATCH_RECORDS = 256;
    static final long BATCH_BYTES = 1L << 20;
    /**
     * After sending everything queued, the sender waits this long for more, as a collector's batch processor does:
     * under load, requests of hundreds of exports rather than one each (a request costs both sides far more than an
     * export in it); at Claude Code's pace, an export reaches the upstream up to this much later.
     */
    static final Duration LINGER = Duration.ofMillis(200);

    private final ForwardConfig config;
    private final ForwardQueue queue;
    private final Appender appender;
    private final Upstream upstream;
    private final ResourceStamp stamp;
    private final Backoff backoff;
    private final Thread sender;
    private final Object pause = new Object();
    private volatile boolean closing;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private boolean failing; // the sender's own: whether the last attempt failed, for one line when it recovers
    /** The request being built: the batch's exports stamped one after the other; the sender's own, reused. */
    private final ReusableBytes request = new ReusableBytes(64 * 1024, 2 << 20);

    private Forwarder(ForwardConfig config, ForwardQueue queue, Upstream upstream) {
        this.config = config;
        this.queue = queue;
        this.appender = new Appender(queue);
        this.upstream = upstream;
        this.stamp = new ResourceStamp(config.resourceAttributes());
        this.backoff = new Backoff(config.retryMax(), () -> ThreadLocalRandom.current().nextDouble());
        this.sender = new Thread(this::send, "forward-sender");
        this.sender.setDaemon(true);
    }

    /** Opens the queue in {@code directory} (what an earlier run left is sent first) and starts sending. */
    public static Forwarder start(ForwardConfig config, Path directory, String version, Clock clock)
            throws IOException {
        var forwarder = new Forwarder(config, ForwardQueue.open(directory, config.queueMaxBytes()),
                new Upstream(config, version, clock));
        forwarder.sender.start();
        return forwarder;
    }

    /**
     * Queues an export the receiver has made durable: the future completes once it is written, false when the queue
     * could not keep it (counted) or its signal is not forwarded. It fails only after {@link #close}: the export is
     * not queued, and must not be acknowledged (the client sends it again to the next start).
     */
    public CompletableFuture<Boolean> enqueue(Signal signal, byte[] request) {
        return config.endpoints().containsKey(signal) ? appender.append(signal, request)
                : CompletableFuture.completedFuture(false);
    }

    /**
     * The journal's committer has completed a group's exports (on its thread): those it handed over are written
     * now, with one write, and then answered.
     */
    public void groupEnded() {
        appender.groupEnded();
    }

    public ForwardStats stats() {
        ForwardQueue.Stats queued = queue.stats();
        return new ForwardStats(config.describeEndpoints(), queued.records(), queued.bytes(), sent.get(),
                retries.get(), queued.dropped(), failed.get(), rejected.get(), queued.appendFailures(),
                lastError.get());
    }

    private void send() {
        while (!closing) {
            try {
                ForwardQueue.Batch batch = queue.next(BATCH_RECORDS, BATCH_BYTES, 1000);
                if (batch != null && sendOnce(batch) && batch.drained() && !pause(LINGER)) {
                    return;
                }
            } catch (InterruptedException e) {
                return; // closing
            } catch (IOException | RuntimeException e) {
                // The queue's files, or a fault of ours: the cursor did not move, so nothing is lost; try again
                // later. Never let it end the thread: the daemon exits on an uncaught failure, and forwarding must
                // not take the local receiver down with it.
                error("forwarding: " + e);
                if (!pause(Duration.ofSeconds(5))) {
                    return;
                }
            }
        }
    }

    /**
     * Makes one attempt at a batch. Taken, or refused for good: the queue moves past it. To be retried: a pause,
     * after which the sender reads the queue again, so that a retry sends what is queued then (more exports, or
     * fewer when a full queue dropped the oldest meanwhile), never a copy of what was dropped. True when the
     * upstream took it.
     */
    private boolean sendOnce(ForwardQueue.Batch batch) throws InterruptedException, IOException {
        if (batch.skipped() > 0) {
            failed.addAndGet(batch.skipped());
            error("forwarding queue: " + batch.skipped() + " export(s) damaged on disk, not sent");
        }
        stamp(batch);
        URI endpoint = config.endpoints().get(batch.signal());
        if (request.size() == 0 || endpoint == null) {
            queue.acknowledge(batch);
            return false;
        }
        Upstream.Outcome outcome = upstream.post(endpoint, request.array(), request.size());
        if (outcome instanceof Upstream.Outcome.Sent done) {
            backoff.reset();
            if (failing) {
                failing = false;
                LOG.info("forwarding: the upstream took exports again");
            }
            sent.addAndGet(batch.size());
            if (done.rejected() > 0 || !done.message().isEmpty()) {
                rejected.addAndGet(done.rejected());
                LOG.info("forwarding: the upstream rejected " + done.rejected() + " item(s) of "
                        + batch.size() + " export(s): " + done.message());
            }
            queue.acknowledge(batch);
            return true;
        } else if (outcome instanceof Upstream.Outcome.Refused refused) {
            backoff.reset();
            error("forwarding: gave up on " + batch.size() + " " + batch.signal().name().toLowerCase(Locale.ROOT)
                    + " export(s): " + refused.reason()); // first: whoever sees the count sees why
            failed.addAndGet(batch.size());
            queue.acknowledge(batch);
            return false;
        } else {
            var retry = (Upstream.Outcome.Retry) outcome;
            failing = true;
            Duration wait = backoff.next(retry.retryAfter());
            error("forwarding: " + retry.reason() + "; retrying in " + wait.toMillis() + " ms");
            retries.incrementAndGet();
            pause(wait);
            return false;
        }
    }

    /**
     * Builds the request: the batch's exports, each with the resource attributes added, one after the other, where
     * the queue read them into the reused request array; a malformed one is left out.
     */
    private void stamp(ForwardQueue.Batch batch) {
        request.reset();
        byte[] bytes = batch.array();
        for (int i = 0; i < batch.size(); i++) {
            int before = request.size();
            try {
                stamp.apply(bytes, batch.offset(i), batch.offset(i) + batch.length(i), request);
            } catch (MalformedRequestException e) {
                request.truncate(before);
                failed.incrementAndGet();
                error("forwarding: an export that is not valid protobuf was not sent: " + e.getMessage());
            }
        }
    }

    private void error(String message) {
        if (!message.equals(lastError.getAndSet(message))) {
            LOG.warning(message);
        }
    }

    /** Waits, or less when closing; false when closing. */
    private boolean pause(Duration wait) {
        synchronized (pause) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (!closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(pause, left);
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return false;
        }
    }

    /**
     * Stops sending (a post under way is abandoned, to be sent again at the next start) and closes the queue: what
     * is unsent waits on disk. Exports handed over after this are refused, but for those of a journal committer the
     * store gave up waiting for: the queue stays open for it ({@link Appender}).
     */
    @Override
    public void close() {
        closing = true;
        synchronized (pause) {
            pause.notifyAll();
        }
        sender.interrupt();
        upstream.abort(); // a post under way: its blocking reads and writes end with the connection
        try {
            sender.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (appender.close()) { // else the journal's committer outlived the store's wait: it still writes
            queue.close();
        }
        if (!sender.isAlive()) {
            upstream.close(); // else the sender, stuck, still owns it; the collector frees it then
        }
    }
}
