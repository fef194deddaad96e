package dev.tokenmetrics.receiver.forward;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Looks the upstream's host name up within the post's timeout. The system's resolver ({@link InetAddress#getByName})
 * has no timeout of ours and cannot be interrupted: one that hangs (a DNS server that never answers, a name service
 * module stuck) would hold the sender for good. So the lookup runs on a thread of its own and the sender waits for it
 * no longer than the post may take, then retries with backoff like any failed connection; a lookup still under way
 * is waited on again by the next attempt, never started twice, so a hung resolver holds one thread per host. The JDK
 * caches what it resolved (30 s by default): a kept connection needs no lookup at all.
 */
final class Resolver implements AutoCloseable {

    /** The system's lookup; tests substitute one that hangs. */
    @FunctionalInterface
    interface Lookup {
        Lookup SYSTEM = InetAddress::getByName;

        InetAddress byName(String host) throws UnknownHostException;
    }

    private final Lookup lookup;
    private final Map<String, CompletableFuture<InetAddress>> underWay = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "forward-resolver");
        thread.setDaemon(true);
        return thread;
    });

    Resolver(Lookup lookup) {
        this.lookup = lookup;
    }

    /**
     * The host's address, waiting at most {@code timeoutNanos}: {@link SocketTimeoutException} past it,
     * {@link UnknownHostException} when there is none, {@link InterruptedIOException} when the sender is stopped.
     */
    InetAddress resolve(String host, long timeoutNanos) throws IOException {
        CompletableFuture<InetAddress> address = underWay.computeIfAbsent(host, this::start);
        try {
            return address.get(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no address for " + host + " within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (the system's resolver did not answer)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException failed) {
                throw failed;
            }
            throw new IOException("resolving " + host + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the sender is stopping: it checks
            throw new InterruptedIOException("stopped while resolving " + host);
        }
    }

    private CompletableFuture<InetAddress> start(String host) {
        var address = new CompletableFuture<InetAddress>();
        address.whenComplete((done, failed) -> underWay.remove(host, address)); // the next post looks up afresh
        threads.execute(() -> {
            try {
                address.complete(lookup.byName(host));
            } catch (IOException | RuntimeException e) {
                address.completeExceptionally(e);
            }
        });
        return address;
    }

    @Override
    public void close() {
        threads.shutdownNow(); // a hung lookup ignores it; its thread is a daemon
    }
}
