package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.pricing.Prices;
import dev.tokenmetrics.receiver.pricing.TokenCounts;
import dev.tokenmetrics.receiver.transcripts.CostState;
import dev.tokenmetrics.receiver.transcripts.TranscriptChunk;
import dev.tokenmetrics.receiver.transcripts.TranscriptRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger rows a transcript's chunk brings: one per assistant message, its tokens exact. Its cost (docs/LEDGER.md,
 * "What a row costs"):
 * <ul>
 * <li>{@code exact} when a step of Claude Code's own running totals (cost-state records) covers it: the step's cost
 *     if it is the only request of its model in the step, or, when the step covers several, its share of the step's
 *     cost in proportion to its priced cost (the shares add up to the step exactly). A step covers requests only
 *     if their tokens add up to the step's.</li>
 * <li>otherwise priced by {@link Prices}: {@code learned}, {@code table}, or {@code unpriced} (no cost, never $0).</li>
 * </ul>
 */
final class TranscriptRows {

    /** Decimals of an allocated share before the last request of a step takes what remains. */
    private static final int SHARE_DECIMALS = 12;

    private TranscriptRows() {
    }

    private record Cost(BigDecimal usd, CostSource source) {
        static final Cost UNPRICED = new Cost(null, CostSource.UNPRICED);
    }

    static List<LedgerRow> of(TranscriptChunk chunk, Prices prices) {
        Map<TranscriptRequest, BigDecimal> exact = exactCosts(chunk, prices);
        var rows = new ArrayList<LedgerRow>(chunk.requests().size());
        for (TranscriptRequest request : chunk.requests()) {
            BigDecimal exactCost = exact.get(request);
            Cost cost = exactCost != null ? new Cost(exactCost, CostSource.EXACT) : priced(request, prices);
            rows.add(new LedgerRow(LedgerRow.key(request.requestId(), 0, request.messageId()), Source.TRANSCRIPT,
                    request.sessionId(), request.timestamp(), request.model(),
                    new Tokens(request.inputTokens(), request.outputTokens(), request.cacheReadTokens(),
                            request.cacheCreationTokens(), request.cacheCreation5mTokens(),
                            request.cacheCreation1hTokens()),
                    cost.usd(), cost.source(),
                    new Call(request.requestId(), null, null, null, null, request.speed(), null, null, null, null,
                            null, null, null, request.version()),
                    new Place(null, request.cwd(), request.gitBranch(), request.messageId()),
                    request.transcript().toString()));
        }
        return rows;
    }

    private static Cost priced(TranscriptRequest request, Prices prices) {
        Prices.Priced priced = prices.price(request.model(), tokens(request), request.speed());
        if (priced == null) {
            return Cost.UNPRICED;
        }
        return new Cost(priced.costUsd(),
                priced.basis() == Prices.Basis.LEARNED ? CostSource.LEARNED : CostSource.TABLE);
    }

    private static TokenCounts tokens(TranscriptRequest request) {
        return new TokenCounts(request.inputTokens(), request.outputTokens(), request.cacheReadTokens(),
                request.cacheCreationTokens(), request.cacheCreation1hTokens());
    }

    /** The requests whose cost a step of Claude Code's running totals gives exactly, alone or as a share. */
    private static Map<TranscriptRequest, BigDecimal> exactCosts(TranscriptChunk chunk, Prices prices) {
        var exact = new IdentityHashMap<TranscriptRequest, BigDecimal>();
        if (chunk.costStates().isEmpty()) {
            return exact;
        }
        var requests = new ArrayList<>(chunk.requests());
        requests.sort(Comparator.comparingLong(TranscriptRequest::offset));
        var previous = new HashMap<String, CostState>(); // per session, within this chunk
        int next = 0;
        for (CostState state : chunk.costStates()) {
            var since = new ArrayList<TranscriptRequest>();
            while (next < requests.size() && requests.get(next).offset() < state.offset()) {
                if (requests.get(next).sessionId().equals(state.sessionId())) {
                    since.add(requests.get(next));
                }
                next++;
            }
            state.stepSince(previous.get(state.sessionId())).forEach((model, step) -> {
                List<TranscriptRequest> ofModel = since.stream().filter(r -> r.model().equals(model)).toList();
                if (ofModel.isEmpty() || !sameTokens(ofModel, step)) {
                    return; // the step covers requests this chunk does not hold
                }
                if (ofModel.size() == 1) {
                    exact.put(ofModel.get(0), step.costUsd());
                } else {
                    exact.putAll(shares(ofModel, step.costUsd(), prices));
                }
            });
            previous.put(state.sessionId(), state);
        }
        return exact;
    }

    /**
     * The step's exact cost shared among its requests in proportion to their priced costs, each share rounded to
     * {@link #SHARE_DECIMALS} decimals and the last taking the remainder, so that the shares add up to the step;
     * none when a request cannot be priced.
     */
    private static Map<TranscriptRequest, BigDecimal> shares(List<TranscriptRequest> requests, BigDecimal stepCost,
                                                             Prices prices) {
        var estimates = new ArrayList<BigDecimal>(requests.size());
        BigDecimal estimated = BigDecimal.ZERO;
        for (TranscriptRequest request : requests) {
            Prices.Priced priced = prices.price(request.model(), tokens(request), request.speed());
            if (priced == null) {
                return Map.of();
            }
            estimates.add(priced.costUsd());
            estimated = estimated.add(priced.costUsd());
        }
        if (estimated.signum() == 0) {
            return Map.of();
        }
        var shares = new IdentityHashMap<TranscriptRequest, BigDecimal>();
        BigDecimal remaining = stepCost;
        for (int i = 0; i < requests.size() - 1; i++) {
            BigDecimal share = stepCost.multiply(estimates.get(i))
                    .divide(estimated, SHARE_DECIMALS, RoundingMode.HALF_EVEN);
            shares.put(requests.get(i), plain(share));
            remaining = remaining.subtract(share);
        }
        if (remaining.signum() < 0) {
            return Map.of(); // only if the last request's share is less than the rounding of the others'
        }
        shares.put(requests.get(requests.size() - 1), plain(remaining));
        return shares;
    }

    private static BigDecimal plain(BigDecimal usd) {
        return usd.signum() == 0 ? BigDecimal.ZERO : usd.stripTrailingZeros();
    }

    private static boolean sameTokens(List<TranscriptRequest> requests, CostState.ModelTotals step) {
        long input = 0;
        long output = 0;
        long cacheRead = 0;
        long cacheCreation = 0;
        for (TranscriptRequest request : requests) {
            input += request.inputTokens();
            output += request.outputTokens();
            cacheRead += request.cacheReadTokens();
            cacheCreation += request.cacheCreationTokens();
        }
        return input == step.inputTokens() && output == step.outputTokens() && cacheRead == step.cacheReadTokens()
                && cacheCreation == step.cacheCreationTokens();
    }
}
