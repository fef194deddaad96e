package dev.tokenmetrics.receiver.pricing;

/**
 * A request's tokens as prices apply to them. Cache creation is billed at the 1-hour rate for the tokens reported as
 * 1-hour ones (at most all of it) and at the 5-minute rate for the rest, as Claude Code bills it.
 */
public record TokenCounts(long input, long output, long cacheRead, long cacheCreation, long cacheCreation1h) {

    public TokenCounts {
        if (input < 0 || output < 0 || cacheRead < 0 || cacheCreation < 0 || cacheCreation1h < 0) {
            throw new IllegalArgumentException("token counts are never negative");
        }
    }

    /** Cache creation billed at the 1-hour rate. */
    public long cacheWrite1h() {
        return Math.min(cacheCreation1h, cacheCreation);
    }

    /** Cache creation billed at the 5-minute rate. */
    public long cacheWrite5m() {
        return cacheCreation - cacheWrite1h();
    }

    /** The prompt's size, which decides a long-prompt tier: input, cache reads and cache creation. */
    public long prompt() {
        return input + cacheRead + cacheCreation;
    }
}
