package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.query.command.CommandApi;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver has the command write its standard output into its own buffers ({@code CommandApi.answer} with a
 * sink): stdout then the body is the answer it would have kept, byte for byte, with the same headers; a refusal
 * is the same refusal, whatever the sink received.
 */
class AnsweredIntoABufferTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final CommandApi.Host HERE = new CommandApi.Host(Path.of(System.getProperty("user.home")),
            System.getenv("TZ"));

    @TempDir
    Path dir;
    private Path database;

    @BeforeEach
    void ledger() throws Exception {
        database = new TestLedger()
                .request("s1-aaaa", "2026-11-28T08:00:00Z", "claude-opus-5-5", 100, 10, 5, 1000, "0.5",
                        CostSource.EXACT)
                .request("s2-bbbb", "2026-11-30T10:00:00Z", "new-model", 7, 1, 0, 0, null, CostSource.UNPRICED)
                .request("s3-cccc", "2026-12-01T11:30:00Z", "claude-opus-5-5", 2000, 200, 50, 9000, "1.75",
                        CostSource.EXACT)
                .write(dir.resolve("usage.db"));
    }

    /** The command line, on this test's ledger (the receiver's, for the API). */
    private Map<String, List<String>> parameters(String line) {
        var args = new ArrayList<String>(line.isEmpty() ? List.of() : List.of(line.split(" ")));
        if (!line.contains("--db")) {
            args.add("--db");
            args.add(database.toString());
        }
        Map<String, List<String>> parameters = new HashMap<>();
        parameters.put("arg", args);
        parameters.put("home", List.of(HERE.home().toString()));
        return parameters;
    }

    @Test
    void stdoutThenTheBodyIsTheKeptAnswer() {
        for (String line : List.of("daily --json", "session --json", "daily", "session --csv",
                "daily --json --budget 2.5", "daily --budget 1", "dayly", "--since yesterday", "--help", "")) {
            var api = new CommandApi(database, Clock.fixed(NOW, ZoneOffset.UTC), HERE);
            CommandApi.Answer kept = api.answer(parameters(line));
            var stdout = new ByteArrayOutputStream();
            CommandApi.Answer sent = api.answer(parameters(line), stdout);
            assertEquals(200, sent.status(), line);
            assertEquals(kept.headers(), sent.headers(), line);
            var both = new ByteArrayOutputStream();
            both.writeBytes(stdout.toByteArray());
            both.writeBytes(sent.body());
            assertArrayEquals(kept.body(), both.toByteArray(), line);
            assertEquals(Integer.parseInt(sent.headers().get(CommandApi.STDOUT_LENGTH)), stdout.size(), line);
        }
    }

    @Test
    void aRefusalIsTheSameWhateverTheBufferReceived() {
        var api = new CommandApi(database, Clock.fixed(NOW, ZoneOffset.UTC), HERE);
        String otherLedger = "daily --db " + dir.resolve("other.db");
        assertEquals(409, api.answer(parameters(otherLedger), new ByteArrayOutputStream()).status());
        int size = api.answer(parameters("session --json")).body().length;
        var small = new CommandApi(database, Clock.fixed(NOW, ZoneOffset.UTC), HERE, size - 1);
        CommandApi.Answer refused = small.answer(parameters("session --json"), new ByteArrayOutputStream());
        assertEquals(409, refused.status());
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("run the command itself"));
    }
}
