package dev.tokenmetrics.receiver;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one way our tests skip: always with a reason, which {@link SkipReasons} prints on the console (the build's
 * summary says only how many skipped). Shared with e2e/ through the test-jar.
 */
public final class Skip {

    private Skip() {
    }

    /** Skips the calling test unless the condition holds, e.g. a test that needs root. */
    public static void unless(boolean condition, String reason) {
        Assumptions.assumeTrue(condition, reason);
    }

    /**
     * For a program that .ci/run installs: skips without it, except in CI (CI=true), where its absence is a broken
     * install and fails the test. The reason should say how to install it.
     */
    public static void unlessInstalled(boolean present, String reason) {
        if (!present && "true".equals(System.getenv("CI"))) {
            Assertions.fail(reason);
        }
        Assumptions.assumeTrue(present, reason);
    }
}
