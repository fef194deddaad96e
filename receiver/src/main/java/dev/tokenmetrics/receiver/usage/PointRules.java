package dev.tokenmetrics.receiver.usage;

/**
 * What can be checked of a data point without history: a finite, non-negative, plausible value with a time, and for
 * tokens a known type and a whole number. A point that fails is rejected with the reason; the export's others count.
 */
final class PointRules {

    /**
     * No API request uses a trillion tokens or costs a trillion dollars; a larger value is corruption, and would swamp
     * the totals. Low enough that the points of one export cannot reach a long's overflow (9.2e18) by themselves;
     * totals saturate besides (see TokenCounts).
     */
    static final double MAX_PLAUSIBLE_VALUE = 1e12;

    private PointRules() {
    }

    /** Why a point of this metric cannot count, or null when it can. */
    static String problem(Metric metric, Temporality temporality, DataPoint point) {
        if (!point.hasValue()) {
            return "data point has no value";
        }
        double value = point.value();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "value " + value + " is not finite";
        }
        if (value < 0) {
            return (temporality == Temporality.DELTA ? "negative delta " : "negative total ") + value
                    + " in a monotonic sum";
        }
        if (value > MAX_PLAUSIBLE_VALUE) {
            return "value " + value + " is implausibly large";
        }
        if (point.timeNanos() == 0) {
            return "data point has no timeUnixNano";
        }
        if (metric == Metric.TOKEN_USAGE) {
            String type = point.labels().type();
            if (TokenType.forAttribute(type) == null) {
                return "unknown token type '" + type + "'";
            }
            if (value != Math.rint(value)) {
                return "token count " + value + " is not a whole number of tokens";
            }
        }
        return null;
    }
}
