package dev.tokenmetrics.receiver.transcripts;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Claude Code's own running totals for a session (a {@code cost-state} line), carried across {@code --resume}. The
 * requests between two consecutive cost states of a session cost the step between them: see {@link #stepSince}
 * (and the package doc on how often Claude Code writes one).
 *
 * @param timestamp a cost-state line has no time of its own: this is the time of the request it follows (the last
 *     one before it in the same read, {@code null} if there was none)
 * @param totalCostUsd {@code totalCostUSD}, exactly as written (no binary floating point in between)
 * @param models {@code modelUsage}, by model name, in the order written
 * @param offset the line's byte offset in {@code transcript}: orders cost states and requests of one file
 */
public record CostState(
        String sessionId, Instant timestamp, BigDecimal totalCostUsd, Map<String, ModelTotals> models,
        Path transcript, long offset) implements TranscriptEntry {

    public CostState {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(totalCostUsd, "totalCostUsd");
        Objects.requireNonNull(transcript, "transcript");
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** One model's running totals within a cost state. */
    public record ModelTotals(
            BigDecimal costUsd, long inputTokens, long outputTokens, long cacheReadTokens, long cacheCreationTokens) {

        public static final ModelTotals ZERO = new ModelTotals(BigDecimal.ZERO, 0, 0, 0, 0);

        public ModelTotals {
            Objects.requireNonNull(costUsd, "costUsd");
        }

        /**
         * What was added since {@code earlier}. Totals only grow within a session; if they shrank, this is a
         * fresh count (a session started anew under the same id), so the step is all of this one.
         */
        public ModelTotals minus(ModelTotals earlier) {
            boolean fresh = costUsd.compareTo(earlier.costUsd) < 0 || inputTokens < earlier.inputTokens
                    || outputTokens < earlier.outputTokens || cacheReadTokens < earlier.cacheReadTokens
                    || cacheCreationTokens < earlier.cacheCreationTokens;
            if (fresh) {
                return this;
            }
            return new ModelTotals(costUsd.subtract(earlier.costUsd), inputTokens - earlier.inputTokens,
                    outputTokens - earlier.outputTokens, cacheReadTokens - earlier.cacheReadTokens,
                    cacheCreationTokens - earlier.cacheCreationTokens);
        }

        public boolean isZero() {
            return costUsd.signum() == 0 && inputTokens == 0 && outputTokens == 0 && cacheReadTokens == 0
                    && cacheCreationTokens == 0;
        }
    }

    /**
     * The per-model step from {@code earlier} (the previous cost state of the same session, or {@code null} for
     * the first) to this one; models that did not move are left out.
     */
    public Map<String, ModelTotals> stepSince(CostState earlier) {
        Map<String, ModelTotals> steps = new LinkedHashMap<>();
        models.forEach((model, totals) -> {
            ModelTotals before = earlier == null ? ModelTotals.ZERO
                    : earlier.models.getOrDefault(model, ModelTotals.ZERO);
            ModelTotals step = totals.minus(before);
            if (!step.isZero()) {
                steps.put(model, step);
            }
        });
        return Collections.unmodifiableMap(steps);
    }
}
