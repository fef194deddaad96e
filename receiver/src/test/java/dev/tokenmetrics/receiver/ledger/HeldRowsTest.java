package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldRowsTest {

    private static LedgerRow full(int i) {
        return new LedgerRow("req:req_" + i, Source.TELEMETRY, "session-" + i % 3,
                Instant.ofEpochSecond(1_795_000_000L + i, 123_456_789), "claude-opus-5-5",
                new Tokens(1011 + i, 41, 300, 20, 15, 5), new BigDecimal("0.005024000"), CostSource.EXACT,
                new Call("req_" + i, 44L, 32L, "sdk", "medium", "normal", "Explore", "review", "prompt-" + i,
                        "user", "org", "account", "xterm", "2.1.330"),
                new Place("project ü ✓", "/home/me/π", "main", "msg_" + i), "/t/" + i + ".jsonl");
    }

    private static LedgerRow sparse(int i) {
        return new LedgerRow("evt:" + Long.toHexString(-i), Source.TRANSCRIPT, "s", Instant.ofEpochMilli(-5 - i),
                "m", new Tokens(0, 0, 0, 0, 0, 0), null, CostSource.UNPRICED, Call.NONE, Place.NONE, null);
    }

    private static List<LedgerRow> all(HeldRows held) {
        var rows = new ArrayList<LedgerRow>();
        held.chunks().forEach(rows::addAll);
        return rows;
    }

    @Test
    void givesBackEveryRowAsItWasAddedWithNullsScalesAndTextIntact() {
        var held = new HeldRows();
        var rows = List.of(full(1), sparse(2), full(3));
        held.add(rows);

        assertEquals(3, held.rows());
        assertEquals(rows, all(held));
        assertEquals(9, all(held).get(0).costUsd().scale()); // the decimal as it came: exact, scale kept
    }

    @Test
    void givesRowsBackAChunkAtATimeInTheOrderAdded() {
        var held = new HeldRows();
        var rows = new ArrayList<LedgerRow>();
        for (int i = 0; i < HeldRows.CHUNK * 2 + 5; i++) {
            rows.add(i % 2 == 0 ? full(i) : sparse(i));
        }
        held.add(rows.subList(0, 10));
        held.add(rows.subList(10, rows.size()));

        var sizes = new ArrayList<Integer>();
        held.chunks().forEach(chunk -> sizes.add(chunk.size()));
        assertEquals(List.of(HeldRows.CHUNK, HeldRows.CHUNK, 5), sizes);
        assertEquals(rows, all(held));
        assertEquals(rows, all(held)); // read again (pricing learns from them after the commit)
    }

    @Test
    void aListWithARowThatCannotBeHeldLeavesNothingOfItAndTheRowsAfterItReadBackWhole() {
        var held = new HeldRows();
        held.add(List.of(full(1)));
        var broken = new LedgerRow("evt:x", Source.TRANSCRIPT, "s", Instant.ofEpochMilli(1), "m",
                new Tokens(1, 2, 3, 4, 0, 0), null, CostSource.UNPRICED, null, Place.NONE, null); // no call: a bug
        assertThrows(RuntimeException.class,
                () -> held.add(List.of(full(2), broken)));
        held.add(List.of(full(3)));

        assertEquals(List.of(full(1), full(3)), all(held));
    }

    @Test
    void clearedHoldsNothingAndTakesNewRows() {
        var held = new HeldRows();
        for (int i = 0; i < 5_000; i++) { // beyond what it keeps once emptied
            held.add(List.of(full(i)));
        }
        held.clear();

        assertTrue(held.isEmpty());
        assertEquals(List.of(), all(held));
        held.add(List.of(sparse(7)));
        assertEquals(List.of(sparse(7)), all(held));
    }

    @Test
    void releasingKeepsWhatIsHeld() {
        var held = new HeldRows();
        for (int i = 0; i < 500; i++) {
            held.add(List.of(full(i)));
        }
        held.release(); // not empty: nothing let go
        assertEquals(500, all(held).size());
        held.clear();
        held.release();
        held.add(List.of(full(1)));
        assertEquals(List.of(full(1)), all(held));
    }
}
