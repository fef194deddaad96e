package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import dev.tokenmetrics.receiver.usage.ApiCall;
import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The ledger rows a batch brings: one per api_request event whose call details are known. */
final class LedgerRows {

    private LedgerRows() {
    }

    static List<LedgerRow> of(UsageBatch batch) {
        if (batch.apiRequests().isEmpty()) {
            return List.of();
        }
        var rows = new ArrayList<LedgerRow>(batch.apiRequests().size());
        for (ApiRequest request : batch.apiRequests()) {
            ApiCall call = request.call();
            if (call == null) {
                continue; // a journal record from before calls were kept: its requests come from transcripts
            }
            BigDecimal cost = call.costUsd() == null ? null : new BigDecimal(call.costUsd());
            rows.add(new LedgerRow(LedgerRow.key(call.requestId(), request.eventKey(), null), Source.TELEMETRY,
                    request.sessionId(), instant(request.timeNanos()), request.model(),
                    new Tokens(call.inputTokens(), call.outputTokens(), call.cacheReadTokens(),
                            call.cacheCreationTokens(), call.cacheCreation5mTokens(), call.cacheCreation1hTokens()),
                    cost, cost == null ? CostSource.UNPRICED : CostSource.EXACT,
                    new Call(call.requestId(), call.durationMs(), call.ttftMs(), call.querySource(), call.effort(),
                            call.speed(), call.agentName(), call.skillName(), call.promptId(), call.userId(),
                            call.organizationId(), call.accountUuid(), call.terminal(), call.version()),
                    new Place(call.project(), null, call.gitBranch(), null), null));
        }
        return rows;
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
