package dev.tokenmetrics.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenmetrics.query.Json;
import dev.tokenmetrics.query.Times;
import dev.tokenmetrics.query.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The JSON writer writes UTF-8 bytes itself (docs/PERFORMANCE.md, reports): what it writes is what the JDK's
 * encoder, BigDecimal and DateTimeFormatter wrote before it, byte for byte, whether kept or streamed to a sink.
 */
class JsonWriterTest {

    private static final Json.Name COST = Json.Name.of("cost");
    private static final Json.Name TIME = Json.Name.of("time");

    @Test
    void amountsInPicodollarsAreWrittenAsTheirExactDecimal() {
        var random = new Random(15);
        var picos = new java.util.ArrayList<>(List.of(0L, 1L, 10L, 100L, 999_999_999_999L, 1_000_000_000_000L,
                1_500_000_000_000L, 123_456_789_012_345L, 68_299_340_000_000_000L, -1L, -1_000_000_000_000L,
                -1_230_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1));
        for (int i = 0; i < 10_000; i++) {
            long value = random.nextLong() >> random.nextInt(64);
            picos.add(value);
            picos.add(value / 1_000_000 * 1_000_000); // trailing zeros to strip
        }
        for (long value : picos) {
            String written = new Json().object().usd(COST, value).end().toString();
            assertEquals("{\n  \"cost\": " + Usage.usd(value).toPlainString() + "\n}", written, "picos " + value);
        }
    }

    @Test
    void stringsAreEscapedAndEncodedAsBefore() {
        String text = "plain \"quoted\" back\\slash\nnew\rret\ttab\b\f\u0001\u001f\u007f é ë ß € \u2028\u2029"
                + " 😀 lone \ud83d high, lone \ude00 low";
        String expected = "\"plain \\\"quoted\\\" back\\\\slash\\nnew\\rret\\ttab\\b\\f\\u0001\\u001f\u007f é ë ß €"
                + " \\u2028\\u2029 😀 lone ? high, lone ? low\"";
        String written = new Json().object().field("k", text).end().toString();
        assertArrayEquals(("{\n  \"k\": " + expected + "\n}").getBytes(StandardCharsets.UTF_8),
                written.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void streamedBytesAreTheKeptText() {
        // long enough to cross the writer's blocks, with characters of 1 to 4 bytes at every offset
        String[] characters = {"a", "é", "€", "😀", "\"", "\n"};
        var text = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            text.append(characters[i % characters.length]);
            if (i % 7 == 0) {
                text.append("😀");
            }
        }
        var sink = new ByteArrayOutputStream();
        var streamed = new Json(sink).object().array("rows");
        var kept = new Json().object().array("rows");
        for (int i = 0; i < 20; i++) {
            for (Json json : List.of(streamed, kept)) {
                json.element().object().field("text", text.substring(i * 37)).field("n", (long) i)
                        .usd(COST, i * 1_234_567_890L).time(TIME, 1_700_000_000_000L + i).end();
            }
        }
        streamed.end().end().lineEnd().flush();
        assertArrayEquals(kept.end().end().lineEnd().toString().getBytes(StandardCharsets.UTF_8),
                sink.toByteArray());
    }

    @Test
    void aNameLongerThanABlockIsWrittenWhole() {
        String name = "n".repeat(20_000) + "é";
        String expected = "{\n  \"" + name + "\": 1\n}";
        assertEquals(expected, new Json().object().field(Json.Name.of(name), 1L).end().toString());
        assertEquals(expected, new Json().object().field(name, 1L).end().toString());
    }

    @Test
    void timesAreWrittenAsTheFormatterWroteThem() {
        var formatter = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        var random = new Random(15);
        var times = new java.util.ArrayList<>(List.of(0L, 1L, 86_399_999L, 951_782_400_000L /* 2000-02-29 */,
                4_107_542_400_000L /* 2100-03-01 */, 253_402_300_799_999L, 253_402_300_800_000L, -1L,
                -62_135_596_800_000L));
        for (int i = 0; i < 100_000; i++) {
            times.add(Math.floorMod(random.nextLong(), 253_402_300_800_000L));
        }
        for (long ms : times) {
            Instant instant = Instant.ofEpochMilli(ms);
            assertEquals(formatter.format(instant), Times.iso(instant), "ms " + ms);
            assertEquals("{\n  \"time\": \"" + formatter.format(instant) + "\"\n}",
                    new Json().object().time(TIME, ms).end().toString(), "ms " + ms);
        }
    }
}
