package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import dev.tokenmetrics.receiver.otlp.WireType;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Posts exports to the upstream OTLP/HTTP endpoint and says what the answer means, as the OTLP specification says
 * a client must read it: 2xx is sent (its partial success, if any, counted and never resent); 429, 502, 503 and 504
 * and a failed connection are retried, after Retry-After when the server gives one; any other status is final.
 */
final class Upstream implements AutoCloseable {

    private static final int PARTIAL_SUCCESS = WireType.tag(1, WireType.LENGTH_DELIMITED);
    private static final int REJECTED = WireType.tag(1, WireType.VARINT);
    private static final int ERROR_MESSAGE = WireType.tag(2, WireType.LENGTH_DELIMITED);
    /** A server asking for a longer pause than this is asked again after this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    /** What became of a post. */
    sealed interface Outcome {
        /** Accepted; {@code rejected} items of it refused for good (partial success). */
        record Sent(long rejected, String message) implements Outcome {
        }

        /** Try again later: after {@code retryAfter} when the server said (null when it did not). */
        record Retry(Duration retryAfter, String reason) implements Outcome {
        }

        /** Refused for good: sending it again would be refused again. */
        record Refused(String reason) implements Outcome {
        }
    }

    private final ForwardConfig config;
    private final HttpPost http;
    private final Clock clock;
    private final Gzip gzip = new Gzip();
    /** The compressed request, rebuilt in place for every post: the sender's. */
    private final ReusableBytes compressed = new ReusableBytes(64 * 1024, 2 << 20);

    Upstream(ForwardConfig config, String version, Clock clock) {
        this(config, version, clock, Resolver.Lookup.SYSTEM);
    }

    Upstream(ForwardConfig config, String version, Clock clock, Resolver.Lookup lookup) {
        this.config = config;
        this.clock = clock;
        this.http = new HttpPost(config.timeout(), "claude-token-metrics-receiver/" + version, config.headers(),
                lookup);
    }

    /**
     * Posts the protobuf body, {@code body[0, length)}, gzip-compressed when so configured. A post under way ends
     * when the sender is interrupted and {@link #abort} is called, which is how the daemon stops it.
     */
    Outcome post(URI endpoint, byte[] body, int length) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) { // stopping: no new post (blocking sockets ignore interrupts)
            throw new InterruptedException("forwarding stopped before a post");
        }
        HttpPost.Response response;
        try {
            if (config.gzip()) {
                compressed.reset();
                gzip.compress(body, 0, length, compressed);
                response = http.post(endpoint, true, compressed.array(), 0, compressed.size());
            } else {
                response = http.post(endpoint, false, body, 0, length);
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("forwarding stopped during a post");
            }
            String reason = e instanceof SocketTimeoutException && e.getMessage() != null ? e.getMessage()
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return new Outcome.Retry(null, "cannot reach " + ForwardConfig.redacted(endpoint) + ": " + reason);
        }
        return outcome(response.status(), response.retryAfter(), response.body(), clock);
    }

    /** Ends a post under way, from any thread (the daemon stopping). */
    void abort() {
        http.abort();
    }

    /** Reads an answer; separate from the HTTP client, for tests. */
    static Outcome outcome(int status, String retryAfter, byte[] body, Clock clock) {
        if (status >= 200 && status < 300) {
            return partialSuccess(body);
        }
        String reason = "upstream answered " + status + summary(body);
        if (status == 429 || status == 502 || status == 503 || status == 504) {
            return new Outcome.Retry(retryAfter(retryAfter, clock), reason);
        }
        return new Outcome.Refused(reason);
    }

    /** Retry-After as seconds or an HTTP date; null when absent or unreadable; never more than 10 minutes. */
    static Duration retryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Duration after;
        try {
            after = Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                after = Duration.between(clock.instant(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
        if (after.isNegative()) {
            return Duration.ZERO;
        }
        return after.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : after;
    }

    /** The partial_success of an Export*ServiceResponse; a body that does not parse counts as full success. */
    private static Outcome partialSuccess(byte[] body) {
        long rejected = 0;
        String message = "";
        try {
            WireReader response = WireReader.of(body == null ? new byte[0] : body);
            while (response.next()) {
                if (response.tag() == PARTIAL_SUCCESS) {
                    WireReader partial = response.field();
                    while (partial.next()) {
                        if (partial.tag() == REJECTED) {
                            rejected = partial.varint();
                        } else if (partial.tag() == ERROR_MESSAGE) {
                            message = partial.field().text();
                        } else {
                            partial.skip();
                        }
                    }
                } else {
                    response.skip();
                }
            }
        } catch (MalformedRequestException e) {
            return new Outcome.Sent(0, "");
        }
        return new Outcome.Sent(rejected, message);
    }

    /** A short, printable excerpt of an error body (google.rpc.Status or text), for the last error shown. */
    private static String summary(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        var text = new StringBuilder();
        for (int i = 0; i < body.length && text.length() < 120; i++) {
            char c = (char) (body[i] & 0xFF);
            if (c >= 0x20 && c < 0x7F) {
                text.append(c);
            } else if (!text.isEmpty() && text.charAt(text.length() - 1) != ' ') {
                text.append(' ');
            }
        }
        String trimmed = text.toString().trim();
        return trimmed.isEmpty() ? "" : ": " + trimmed;
    }

    /** The body as {@link #post} compresses it (gzip at the fastest level: {@link Gzip}). */
    static byte[] gzip(byte[] body) {
        var out = new ReusableBytes(body.length / 4 + 64, Integer.MAX_VALUE);
        try (var gzip = new Gzip()) {
            gzip.compress(body, 0, body.length, out);
        }
        return out.toByteArray();
    }

    /** Closes the kept connection and frees the compressor's native memory. */
    @Override
    public void close() {
        http.close();
        gzip.close();
    }
}
