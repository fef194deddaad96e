package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.ledger.Ledger;
import dev.tokenmetrics.receiver.ledger.LedgerRow;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/claude-token-metrics: the start-up cache (AppCDS, docs/REPORTS.md) is recorded by the first report that
 * succeeds and used by the next; a failed report records none, and a damaged cache costs only speed, never a word
 * in a report's output.
 */
class ReportsLauncherTest {

    @TempDir
    Path home;
    private Path database;

    @BeforeEach
    void ledger() throws Exception {
        database = home.resolve("usage.db");
        try (Ledger ledger = Ledger.open(database)) {
            ledger.record(List.of(new LedgerRow(LedgerRow.key("req_1", 0, null), LedgerRow.Source.TELEMETRY, "s1",
                    Instant.parse("2026-11-30T10:00:00Z"), "claude-opus-5-5",
                    new LedgerRow.Tokens(100, 10, 1000, 5, 5, 0), new BigDecimal("0.5"), LedgerRow.CostSource.EXACT,
                    LedgerRow.Call.NONE, LedgerRow.Place.NONE, null)));
        }
    }

    private Shell.Result report(String args) throws Exception {
        return Shell.run(Shell.require("bash"), home, Map.of(), Shell.SCRIPTS.resolve("claude-token-metrics") + " "
                + args);
    }

    private List<Path> cacheFiles() throws Exception {
        Path dir = home.resolve(".cache/claude-token-metrics");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("reports-")).toList();
        }
    }

    @Test
    void theFirstReportRecordsTheStartUpCacheAndTheNextUseIt() throws Exception {
        String command = "daily --json --timezone UTC --db " + database;
        var first = report(command);
        assertEquals(0, first.exitCode(), first.both());
        assertEquals("", first.err());
        assertTrue(first.out().contains("\"date\": \"2026-11-30\""), first.out());
        List<Path> cache = cacheFiles();
        assertEquals(1, cache.size(), "one archive, no partial one left: " + cache);
        assertTrue(cache.get(0).getFileName().toString().matches("reports-jdk\\d+\\.jsa"), cache.toString());
        long recorded = Files.getLastModifiedTime(cache.get(0)).toMillis();

        var second = report(command);
        assertEquals(first.out(), second.out());
        assertEquals("", second.err());
        assertEquals(recorded, Files.getLastModifiedTime(cache.get(0)).toMillis(), "used, not recorded again");

        Files.write(cache.get(0), "not an archive".getBytes()); // as after damage or a JDK update
        var third = report(command);
        assertEquals(first.out(), third.out(), "the JVM ignores the bad archive");
        assertEquals("", third.err(), "quietly");
    }

    @Test
    void aReportThatFailsRecordsNoCache() throws Exception {
        var failed = report("daily --db " + home.resolve("missing.db"));
        assertEquals(3, failed.exitCode(), failed.both());
        assertTrue(failed.err().startsWith("claude-token-metrics: no usage ledger at "), failed.err());
        assertEquals(List.of(), cacheFiles());
    }
}
