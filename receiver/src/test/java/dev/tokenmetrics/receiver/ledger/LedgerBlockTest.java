package dev.tokenmetrics.receiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine's current 5-hour block, read from the ledger as the reports' {@code blocks} cut them (ccusage's rule):
 * from the UTC hour of the first request; the next block at the first request more than 5 hours after the start or
 * after the request before it; active while its last request is under 5 hours old and its end ahead.
 */
class LedgerBlockTest {

    @TempDir
    Path dir;

    private Ledger ledger;
    private LedgerReader reader;
    private int next;

    @BeforeEach
    void open() throws Exception {
        ledger = Ledger.open(dir.resolve("usage.db"));
        reader = LedgerReader.open(dir.resolve("usage.db"));
    }

    @AfterEach
    void close() throws Exception {
        reader.close();
        ledger.close();
    }

    private void requests(String... times) throws Exception {
        var rows = new ArrayList<LedgerRow>();
        for (String time : times) {
            rows.add(row(time, Source.TELEMETRY, 100, "0.01"));
        }
        record(rows);
    }

    private void record(List<LedgerRow> rows) throws Exception {
        ledger.record(rows);
        ledger.sync();
    }

    private LedgerRow row(String time, Source source, long input, String cost) {
        String id = "r" + next++;
        return new LedgerRow("req:" + id, source, "s1", Instant.parse(time), "claude-opus-4-5",
                new Tokens(input, 0, 0, 0, 0, 0), cost == null ? null : new BigDecimal(cost),
                cost == null ? CostSource.UNPRICED : CostSource.EXACT, Call.NONE, Place.NONE,
                source == Source.TRANSCRIPT ? "/t/s1.jsonl" : null);
    }

    private Optional<LedgerBlock> at(String now) throws Exception {
        return reader.block(Instant.parse(now).toEpochMilli());
    }

    private static Instant start(Optional<LedgerBlock> block) {
        return Instant.ofEpochMilli(block.orElseThrow().startMillis());
    }

    @Test
    void noRequestInTheLastFiveHoursIsNoBlock() throws Exception {
        assertTrue(at("2026-12-01T10:00:00Z").isEmpty(), "an empty ledger");
        requests("2026-12-01T08:11:00Z");
        assertTrue(at("2026-12-01T12:59:59.999Z").isPresent());
        // A block starts at or before its first request, so 5 h after its last one it has always ended.
        assertTrue(at("2026-12-01T13:00:00Z").isEmpty(), "its end");
        assertTrue(at("2026-12-01T13:11:00Z").isEmpty(), "5 h after the last request");
    }

    @Test
    void aBlockStartsAtTheUtcHourOfItsFirstRequestAndLastsFiveHours() throws Exception {
        requests("2026-12-01T08:11:28.253Z", "2026-12-01T09:30:00Z", "2026-12-01T10:00:00Z");
        LedgerBlock block = at("2026-12-01T10:30:00Z").orElseThrow();
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), Instant.ofEpochMilli(block.startMillis()));
        assertEquals(Instant.parse("2026-12-01T13:00:00Z"), Instant.ofEpochMilli(block.endMillis()));
        assertEquals(Instant.parse("2026-12-01T08:11:28.253Z"), Instant.ofEpochMilli(block.firstMillis()));
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), Instant.ofEpochMilli(block.lastMillis()));
        assertEquals(3, block.requests());
        assertEquals(300, block.totalTokens());
        assertEquals(0, new BigDecimal("0.03").compareTo(block.costUsd()));
    }

    @Test
    void aGapOfOverFiveHoursStartsAFreshBlockAtTheHourOfTheNextRequest() throws Exception {
        requests("2026-12-01T06:40:00Z", "2026-12-01T07:00:00Z", "2026-12-01T12:00:00.001Z");
        assertEquals(Instant.parse("2026-12-01T12:00:00Z"), start(at("2026-12-01T12:30:00Z")));
        assertEquals(100, at("2026-12-01T12:30:00Z").orElseThrow().totalTokens());
    }

    @Test
    void blocksChainAcrossFiveHoursOfSteadyUse() throws Exception {
        // Every 40 minutes from 08:11: 08:00-13:00, then the hour of 13:31 (13:00), then the hour of 18:11 (18:00).
        var times = new ArrayList<String>();
        for (Instant t = Instant.parse("2026-12-01T08:11:00Z"); t.isBefore(Instant.parse("2026-12-01T19:00:00Z"));
             t = t.plusSeconds(40 * 60)) {
            times.add(t.toString());
        }
        requests(times.toArray(String[]::new));
        assertEquals(Instant.parse("2026-12-01T18:00:00Z"), start(at("2026-12-01T19:00:00Z")));
        assertEquals(2, at("2026-12-01T19:00:00Z").orElseThrow().requests(), "18:11 and 18:51");
    }

    @Test
    void aRequestExactlyFiveHoursAfterTheStartStillBelongsToTheBlockAsWithCcusage() throws Exception {
        requests("2026-12-01T08:00:00Z", "2026-12-01T13:00:00Z");
        assertEquals(2, at("2026-12-01T12:59:59.999Z").orElseThrow().requests());
        assertTrue(at("2026-12-01T13:00:00Z").isEmpty(), "the block ends at 13:00: its end is no longer ahead");

        requests("2026-12-01T13:00:00.001Z");
        LedgerBlock next = at("2026-12-01T13:00:00.001Z").orElseThrow();
        assertEquals(Instant.parse("2026-12-01T13:00:00Z"), Instant.ofEpochMilli(next.startMillis()));
        assertEquals(1, next.requests());
    }

    @Test
    void theClockAloneEndsABlockAndANewRequestIsSeenAtOnce() throws Exception {
        requests("2026-12-01T09:05:00Z");
        LedgerBlock block = at("2026-12-01T09:10:00Z").orElseThrow();
        assertEquals(block, at("2026-12-01T13:59:59Z").orElseThrow(), "time passes, the block stays");
        assertTrue(at("2026-12-01T14:00:00Z").isEmpty(), "its end");

        requests("2026-12-01T09:20:00Z");
        assertEquals(2, at("2026-12-01T09:30:00Z").orElseThrow().requests(), "the ledger changed: read again");
    }

    @Test
    void everySourceCountsAndAnUnpricedBlockHasNoCostRatherThanZero() throws Exception {
        record(List.of(row("2026-12-01T09:05:00Z", Source.TRANSCRIPT, 40, null),
                row("2026-12-01T09:06:00Z", Source.TELEMETRY, 60, null)));
        LedgerBlock unpriced = at("2026-12-01T09:10:00Z").orElseThrow();
        assertEquals(100, unpriced.totalTokens());
        assertNull(unpriced.costUsd());

        record(List.of(row("2026-12-01T09:07:00Z", Source.TRANSCRIPT, 1, "0.123456789012")));
        assertEquals(new BigDecimal("0.123456789012"), at("2026-12-01T09:10:00Z").orElseThrow().costUsd());
    }

    @Test
    void theLocalTimeZoneNeverMovesABlock() throws Exception {
        TimeZone saved = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kathmandu")); // UTC+05:45
            requests("2026-12-01T08:11:00Z");
            assertEquals(Instant.parse("2026-12-01T08:00:00Z"), start(at("2026-12-01T08:30:00Z")));
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    @Test
    void withoutAPauseInTheLookBackTheChainIsCutFromItsOldestRequest() throws Exception {
        // Hourly use for 3 days without a pause: read from its first request, the chain would now be at 22:00.
        var times = new ArrayList<String>();
        Instant first = Instant.parse("2026-11-28T00:30:00Z");
        for (Instant t = first; t.isBefore(Instant.parse("2026-12-01T00:00:00Z")); t = t.plusSeconds(3600)) {
            times.add(t.toString());
        }
        requests(times.toArray(String[]::new));
        Instant now = Instant.parse("2026-11-30T23:45:00Z");
        Instant lookBack = now.minus(LedgerReader.BLOCK_LOOK_BACK); // 2026-11-28T23:45: first read 2026-11-29T00:30
        assertTrue(Instant.parse("2026-11-29T00:30:00Z").isAfter(lookBack));
        assertTrue(Instant.parse("2026-11-28T23:30:00Z").isBefore(lookBack));
        // 00:00, 05:00 (05:30 > 00:00 + 5 h), 10:00, 15:00, 20:00 on the 29th; 01:00, ... 21:00 on the 30th.
        assertEquals(Instant.parse("2026-11-30T21:00:00Z"), start(reader.block(now.toEpochMilli())));
    }
}
