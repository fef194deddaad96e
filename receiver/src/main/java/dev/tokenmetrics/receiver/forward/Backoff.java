package dev.tokenmetrics.receiver.forward;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter between retries of one batch: 500 ms, doubling up to the configured maximum, each
 * wait drawn between half and all of that, so that many developers' receivers that lost the same collector do not
 * come back in step. A wait the server asked for (Retry-After) is honoured as it is.
 */
final class Backoff {

    static final Duration INITIAL = Duration.ofMillis(500);

    private final Duration max;
    private final DoubleSupplier random;
    private int failures;

    /** {@code random}: uniform in [0, 1). */
    Backoff(Duration max, DoubleSupplier random) {
        this.max = max;
        this.random = random;
    }

    /** The wait before the next attempt after a failure; Retry-After when given, else the next backoff step. */
    Duration next(Duration retryAfter) {
        int step = Math.min(failures, 30);
        failures++;
        if (retryAfter != null) {
            return retryAfter;
        }
        long ceiling = Math.min(max.toMillis(), INITIAL.toMillis() << step);
        return Duration.ofMillis((long) (ceiling * (0.5 + random.getAsDouble() / 2)));
    }

    /** After a success: the next failure waits the shortest time again. */
    void reset() {
        failures = 0;
    }
}
