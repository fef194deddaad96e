package dev.tokenmetrics.reports;

import dev.tokenmetrics.receiver.ledger.Ledger;
import dev.tokenmetrics.receiver.ledger.LedgerRow;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds a ledger for a test through the receiver's own {@link Ledger}, so that tests read what it writes. */
final class TestLedger {

    private final List<LedgerRow> rows = new ArrayList<>();
    private int next;

    /** A request: its session, time, model, the four token counts, cost (null: unpriced) and how it is known. */
    TestLedger request(String session, String time, String model, long input, long output, long cacheCreation,
                       long cacheRead, String cost, CostSource costSource) {
        return add(session, time, model, new Tokens(input, output, cacheRead, cacheCreation, 0, 0), cost, costSource,
                Call.NONE, Place.NONE, Source.TELEMETRY);
    }

    TestLedger add(String session, String time, String model, Tokens tokens, String cost, CostSource costSource,
                   Call call, Place place, Source source) {
        String id = "req_" + next++;
        rows.add(new LedgerRow(LedgerRow.key(id, 0, null), source, session, Instant.parse(time), model, tokens,
                cost == null ? null : new BigDecimal(cost), cost == null ? CostSource.UNPRICED : costSource, call,
                place, source == Source.TRANSCRIPT ? "/t/" + session + ".jsonl" : null));
        return this;
    }

    static Call agent(String querySource, String agentName) {
        return new Call(null, null, null, querySource, null, null, agentName, null, null, null, null, null, null,
                null);
    }

    static Place place(String project, String cwd, String branch) {
        return new Place(project, cwd, branch, null);
    }

    Path write(Path database) throws IOException {
        try (Ledger ledger = Ledger.open(database)) {
            ledger.record(rows);
        }
        return database;
    }
}
