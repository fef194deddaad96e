package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.Prices;
import dev.tokenmetrics.receiver.transcripts.CostState;
import dev.tokenmetrics.receiver.transcripts.CostState.ModelTotals;
import dev.tokenmetrics.receiver.transcripts.TranscriptChunk;
import dev.tokenmetrics.receiver.transcripts.TranscriptRequest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a transcript-only request costs (docs/LEDGER.md, "What a row costs"). */
class TranscriptRowsTest {

    private static final Path FILE = Path.of("/home/user/.claude/projects/p/s1.jsonl");
    private static final Prices SHIPPED = new Prices(Map.of(), PriceTable.shipped());
    private static final String OPUS = "claude-opus-5-5"; // $4 / $20 / $0.2 / $5 / $8 per million

    /** A transcript read: requests and cost states, in file order (each entry's offset is its place). */
    private static final class Transcript {
        private final List<TranscriptRequest> requests = new ArrayList<>();
        private final List<CostState> costStates = new ArrayList<>();
        private final Map<String, ModelTotals> totals = new LinkedHashMap<>();
        private BigDecimal total = BigDecimal.ZERO;
        private long offset;

        Transcript request(String model, long input, long output, long cacheRead, long cacheCreation,
                           String speed) {
            int n = requests.size() + 1;
            requests.add(new TranscriptRequest("s1", "req_" + n, "msg_" + n, model,
                    Instant.parse("2026-12-01T08:11:28.285Z").plusSeconds(n), "/home/user/proj", "main", "2.1.330",
                    false, null, input, output, cacheRead, cacheCreation, cacheCreation, 0, speed, "standard", FILE,
                    offset += 100));
            return this;
        }

        Transcript request(String model, long input, long output, long cacheRead, long cacheCreation) {
            return request(model, input, output, cacheRead, cacheCreation, "standard");
        }

        /** Claude Code's running totals after the requests so far, the model's cost having grown by {@code cost}. */
        Transcript costState(String model, String cost, long input, long output, long cacheRead, long cacheCreation) {
            ModelTotals before = totals.getOrDefault(model, ModelTotals.ZERO);
            totals.put(model, new ModelTotals(before.costUsd().add(new BigDecimal(cost)),
                    before.inputTokens() + input, before.outputTokens() + output,
                    before.cacheReadTokens() + cacheRead, before.cacheCreationTokens() + cacheCreation));
            total = total.add(new BigDecimal(cost));
            costStates.add(new CostState("s1", null, total, totals, FILE, offset += 100));
            return this;
        }

        List<LedgerRow> rows(Prices prices) {
            return TranscriptRows.of(new TranscriptChunk(FILE, 0, offset + 100, requests, costStates, 0, 0), prices);
        }
    }

    @Test
    void aRequestAloneInAStepOfClaudeCodesRunningTotalCostsTheStep() {
        List<LedgerRow> rows = new Transcript().request(OPUS, 1011, 41, 300, 20)
                .costState(OPUS, "0.005024000000000001", 1011, 41, 300, 20)
                .request(OPUS, 2011, 42, 600, 40)
                .costState(OPUS, "0.009204000000000002", 2011, 42, 600, 40).rows(SHIPPED);
        assertCost(rows.get(0), "0.005024000000000001", CostSource.EXACT);
        assertCost(rows.get(1), "0.009204000000000002", CostSource.EXACT);
    }

    @Test
    void requestsSharingAStepShareItsExactCostInProportionToTheirPricesAndAddUpToIt() {
        // Claude Code 2.1.331 writes one cost state per process: three requests, one step
        String stepCost = "0.024928000000000003";
        List<LedgerRow> rows = new Transcript().request(OPUS, 1011, 41, 300, 20).request(OPUS, 2011, 42, 600, 40)
                .request(OPUS, 1000, 310, 0, 100)
                .costState(OPUS, stepCost, 4022, 393, 900, 160).rows(SHIPPED);
        // priced: $0.005024, $0.009204 and $0.0107; the step is their sum and some binary noise
        assertEquals(3, rows.size());
        rows.forEach(row -> assertEquals(CostSource.EXACT, row.costSource()));
        assertEquals(new BigDecimal(stepCost), rows.stream().map(LedgerRow::costUsd)
                .reduce(BigDecimal.ZERO, BigDecimal::add), "the shares add up to the step, to the last digit");
        assertCost(rows.get(0), "0.005024", CostSource.EXACT);
        assertCost(rows.get(1), "0.009204", CostSource.EXACT);
        assertCost(rows.get(2), "0.010700000000000003", CostSource.EXACT);
    }

    @Test
    void sharesFollowThePricesEvenWhenClaudeCodesTotalDiffersFromThem() {
        // The user's prices are not the ones Claude Code billed by: the step still decides the total
        Price half = Price.of("2", "10", "0.1", "2.5", "4");
        var prices = new Prices(Map.of(OPUS, half), PriceTable.shipped());
        List<LedgerRow> rows = new Transcript().request(OPUS, 1_000_000, 0, 0, 0).request(OPUS, 3_000_000, 0, 0, 0)
                .costState(OPUS, "1", 4_000_000, 0, 0, 0).rows(prices);
        assertCost(rows.get(0), "0.25", CostSource.EXACT);
        assertCost(rows.get(1), "0.75", CostSource.EXACT);
    }

    @Test
    void aStepThatCannotBeSharedLeavesItsRequestsPricedOneByOne() {
        List<LedgerRow> unknown = new Transcript().request("claude-unreleased", 1000, 10, 0, 0)
                .request("claude-unreleased", 2000, 20, 0, 0)
                .costState("claude-unreleased", "0.5", 3000, 30, 0, 0).rows(SHIPPED);
        unknown.forEach(row -> assertCost(row, null, CostSource.UNPRICED));

        List<LedgerRow> oneFast = new Transcript().request(OPUS, 1000, 10, 0, 0)
                .request(OPUS, 2000, 20, 0, 0, "fast")
                .costState(OPUS, "0.5", 3000, 30, 0, 0).rows(SHIPPED);
        assertCost(oneFast.get(0), "0.0042", CostSource.TABLE);
        assertCost(oneFast.get(1), null, CostSource.UNPRICED);
    }

    @Test
    void aStepWhoseTokensAreNotTheRequestsCoversOtherRequestsAndPricesNone() {
        // the session's first cost state in this read, with requests from before it: totals since the start
        List<LedgerRow> rows = new Transcript().request(OPUS, 1000, 10, 0, 0)
                .costState(OPUS, "0.9", 50_000, 300, 0, 0).rows(SHIPPED);
        assertCost(rows.get(0), "0.0042", CostSource.TABLE);
    }

    @Test
    void withoutCostStatesARequestIsPricedLearnedElseByTheTableElseNot() {
        Price learned = Price.of("4", "20", "0.2", "5", "8");
        var prices = new Prices(Map.of("claude-opus-4-1", learned), PriceTable.shipped());
        List<LedgerRow> rows = new Transcript().request("claude-opus-4-1", 1_000_000, 0, 0, 0)
                .request("claude-opus-4-1-20250805", 1_000_000, 0, 0, 0)
                .request("claude-mystery-9", 1_000_000, 0, 0, 0)
                .request("claude-haiku-4-5", 1_000_000, 0, 0, 0, "fast").rows(prices);
        assertCost(rows.get(0), "4", CostSource.LEARNED);
        assertCost(rows.get(1), "15", CostSource.TABLE); // learned under another id: the table's, by its rule
        assertCost(rows.get(2), null, CostSource.UNPRICED);
        assertCost(rows.get(3), null, CostSource.UNPRICED);
    }

    @Test
    void aLearnedPriceMissingATypeLeavesSuchRequestsToTheTable() {
        var partial = new Price(new BigDecimal("99"), new BigDecimal("99"), null, null, null, null);
        var prices = new Prices(Map.of(OPUS, partial), PriceTable.shipped());
        List<LedgerRow> rows = new Transcript().request(OPUS, 1_000_000, 0, 0, 0)
                .request(OPUS, 1_000_000, 0, 1_000_000, 0).rows(prices);
        assertCost(rows.get(0), "99", CostSource.LEARNED);
        assertCost(rows.get(1), "4.2", CostSource.TABLE);
    }

    private static void assertCost(LedgerRow row, String usd, CostSource source) {
        assertEquals(source, row.costSource(), row.key());
        if (usd == null) {
            assertNull(row.costUsd(), "unpriced is no cost, never $0");
        } else {
            assertEquals(usd, row.costUsd().toPlainString(), row.key());
        }
    }
}
