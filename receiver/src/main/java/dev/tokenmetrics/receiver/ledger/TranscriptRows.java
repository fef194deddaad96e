package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.transcripts.CostState;
import dev.tokenmetrics.receiver.transcripts.TranscriptChunk;
import dev.tokenmetrics.receiver.transcripts.TranscriptRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger rows a transcript's chunk brings: one per assistant message, its tokens exact. Its cost is exact when
 * Claude Code's own running totals (cost-state records) step by exactly that request: the only request of its model
 * between two of them, with the same tokens as the step. Otherwise, for now, it is unpriced, never $0; Claude Code
 * writes a cost state per process, not per request, so most steps cover several requests.
 */
final class TranscriptRows {

    private TranscriptRows() {
    }

    static List<LedgerRow> of(TranscriptChunk chunk) {
        Map<TranscriptRequest, BigDecimal> exact = exactCosts(chunk);
        var rows = new ArrayList<LedgerRow>(chunk.requests().size());
        for (TranscriptRequest request : chunk.requests()) {
            BigDecimal cost = exact.get(request);
            rows.add(new LedgerRow(LedgerRow.key(request.requestId(), 0, request.messageId()), Source.TRANSCRIPT,
                    request.sessionId(), request.timestamp(), request.model(),
                    new Tokens(request.inputTokens(), request.outputTokens(), request.cacheReadTokens(),
                            request.cacheCreationTokens(), request.cacheCreation5mTokens(),
                            request.cacheCreation1hTokens()),
                    cost, cost == null ? CostSource.UNPRICED : CostSource.EXACT,
                    new Call(request.requestId(), null, null, null, null, request.speed(), null, null, null, null,
                            null, null, null, request.version()),
                    new Place(null, request.cwd(), request.gitBranch(), request.messageId()),
                    request.transcript().toString()));
        }
        return rows;
    }

    /** The requests whose cost a step of Claude Code's running totals gives exactly. */
    private static Map<TranscriptRequest, BigDecimal> exactCosts(TranscriptChunk chunk) {
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
                if (ofModel.size() == 1 && sameTokens(ofModel.get(0), step)) {
                    exact.put(ofModel.get(0), step.costUsd());
                }
            });
            previous.put(state.sessionId(), state);
        }
        return exact;
    }

    private static boolean sameTokens(TranscriptRequest request, CostState.ModelTotals step) {
        return request.inputTokens() == step.inputTokens() && request.outputTokens() == step.outputTokens()
                && request.cacheReadTokens() == step.cacheReadTokens()
                && request.cacheCreationTokens() == step.cacheCreationTokens();
    }
}
