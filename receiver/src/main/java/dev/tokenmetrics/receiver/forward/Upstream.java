package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import dev.tokenmetrics.receiver.otlp.WireType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
    private final HttpClient client;
    private final String userAgent;
    private final Clock clock;
    private final Gzip gzip = new Gzip();
    /** The compressed request, rebuilt in place for every post: the sender's. */
    private ReusableBytes compressed = new ReusableBytes(64 * 1024, 2 << 20);

    Upstream(ForwardConfig config, String version, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.userAgent = "claude-token-metrics-receiver/" + version;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Posts the protobuf body, {@code body[0, length)}; interruptible, which is how the daemon stops a post under
     * way. The client reads the array as it sends: after a post that failed, the caller must not write into it
     * again (a request abandoned on a timeout might still be reading it).
     */
    Outcome post(URI endpoint, byte[] body, int length) throws InterruptedException {
        var request = HttpRequest.newBuilder(endpoint).timeout(config.timeout())
                .header("Content-Type", "application/x-protobuf").header("User-Agent", userAgent);
        config.headers().forEach(header -> request.header(header.name(), header.value()));
        HttpRequest.BodyPublisher publisher;
        if (config.gzip()) {
            request.header("Content-Encoding", "gzip");
            compressed.reset();
            gzip.compress(body, 0, length, compressed);
            publisher = HttpRequest.BodyPublishers.ofByteArray(compressed.array(), 0, compressed.size());
        } else {
            publisher = HttpRequest.BodyPublishers.ofByteArray(body, 0, length);
        }
        CompletableFuture<HttpResponse<byte[]>> sent = client.sendAsync(request.POST(publisher).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            response = sent.get();
        } catch (InterruptedException e) {
            sent.cancel(true);
            throw e;
        } catch (ExecutionException | CancellationException e) {
            compressed = new ReusableBytes(64 * 1024, 2 << 20); // the abandoned request's, as said above
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String reason = cause instanceof HttpTimeoutException ? "no answer within " + config.timeout().toMillis()
                    + " ms" : cause.getClass().getSimpleName() + (cause.getMessage() == null ? ""
                    : ": " + cause.getMessage());
            return new Outcome.Retry(null, "cannot reach " + ForwardConfig.redacted(endpoint) + ": " + reason);
        }
        return outcome(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null),
                response.body(), clock);
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

    /** Frees the compressor's native memory. */
    @Override
    public void close() {
        gzip.close();
    }
}
