package dev.tokenmetrics.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.OtlpJson;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.Field;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.MessageType;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonEncoding} against the Jackson transcoder it replaced ({@link JacksonTranscoder}): on OTLP JSON generated
 * from the schema, with every field type, spelling of keys, escapes, numbers as strings, unknown fields and nulls,
 * and on broken copies of it, both write the same bytes or both refuse.
 */
class JsonTranscodingEquivalenceTest {

    private static final String[] WHITESPACE = {"", "", "", " ", "\n  ", "\t", "\r\n"};
    private static final String[] STRING_PIECES = {"a", "claude_code.token.usage", " ", "0", "\\\"", "\\\\", "\\/",
            "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\u0000", "\\u6f22", "\\uD83D\\uDE80", "\\uD83D", "\\uDE80x",
            "\\uD83D\\uD83D\\uDE80", "caf\u00e9", "\u6f22\u5b57", "\ud83d\ude80", "\u007f", "'"};

    private final JsonEncoding json = new JsonEncoding();
    private final JacksonTranscoder jackson = new JacksonTranscoder();

    /** Both transcoders' outcome: the wire bytes in hex, or "refused". */
    private String outcome(byte[] body, Signal signal, boolean ours) {
        try {
            return HexFormat.of().formatHex(ours ? json.toWire(body, signal) : jackson.toWire(body, signal));
        } catch (MalformedRequestException e) {
            return "refused";
        }
    }

    @Test
    void writesTheSameBytesForGeneratedRequests() {
        var random = new Random(11);
        int accepted = 0;
        for (int i = 0; i < 3000; i++) {
            Signal signal = Signal.values()[i % 3];
            byte[] body = new Generator(random).request(signal).getBytes(StandardCharsets.UTF_8);
            String expected = outcome(body, signal, false);
            assertEquals(expected, outcome(body, signal, true), () -> new String(body, StandardCharsets.UTF_8));
            accepted += expected.equals("refused") ? 0 : 1;
        }
        assertTrue(accepted > 1500, "most generated requests are valid OTLP: " + accepted);
    }

    @Test
    void refusesWhatJacksonRefusesInBrokenCopies() {
        var random = new Random(12);
        String breakers = "{}[]:,\"\\ \t0129-+.eEtrufalsn\u0000\u001fx";
        int refused = 0;
        for (int i = 0; i < 6000; i++) {
            Signal signal = Signal.values()[i % 3];
            byte[] valid = new Generator(random).request(signal).getBytes(StandardCharsets.UTF_8);
            byte[] body = switch (random.nextInt(4)) {
                case 0 -> java.util.Arrays.copyOf(valid, random.nextInt(valid.length)); // cut short
                case 1 -> splice(valid, random.nextInt(valid.length), 1, new byte[0]); // a byte gone
                case 2 -> splice(valid, random.nextInt(valid.length), 0, // a byte more
                        new byte[] {(byte) breakers.charAt(random.nextInt(breakers.length()))});
                default -> splice(valid, random.nextInt(valid.length), 1, // a byte changed
                        new byte[] {(byte) breakers.charAt(random.nextInt(breakers.length()))});
            };
            String ours = outcome(body, signal, true);
            if (!validUtf8(body)) { // Jackson takes some invalid UTF-8 (overlong forms, surrogates); we take none
                assertEquals("refused", ours);
            } else {
                assertEquals(outcome(body, signal, false), ours, () -> new String(body, StandardCharsets.UTF_8));
            }
            refused += ours.equals("refused") ? 1 : 0;
        }
        assertTrue(refused > 3000, "most broken copies are refused: " + refused);
    }

    /** JSON's grammar at its edges, each value in every place a value can stand: as an unknown field and a known. */
    @Test
    void agreesWithJacksonOnJsonsGrammar() {
        String[] values = {"0", "-0", "01", "-01", "00", "1.", ".5", "+1", "-", "--1", "1e", "1e+", "1E-2", "1.5e3",
                "0x10", "1_000", "Infinity", "NaN", "-Infinity", "1 2", "\"\"", "\"a\u0001b\"", "\"a\tb\"", "\"\\x\"",
                "\"\\u12\"", "\"\\u12G4\"", "\"\\u00e9\"", "\"\\uD800\"", "\"\\'\"", "\"unterminated", "'single'",
                "tru", "true", "truex", "True", "nul", "null", "nulls", "false", "[]", "[1,]", "[,1]", "[1 2]", "[[]]",
                "[1,[2,[3]]]", "{}", "{,}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "{'a':1}",
                "{\"a\":1}", "{\"a\":1 \"b\":2}", "{\"\\u0061\":[1,{\"b\":null}]}", "/* comment */ 1", "# 1", "\u00a0 1",
                "1\u000b", "[1]]", "{}}", ""};
        String[] places = {"{\"resourceMetrics\":[{\"unknown\":%s}]}", "{\"resourceMetrics\":[{\"schemaUrl\":%s}]}",
                "{\"resourceMetrics\":[{\"resource\":%s}]}", "{\"resourceMetrics\":%s}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"isMonotonic\":%s,"
                        + "\"aggregationTemporality\":%<s,\"dataPoints\":[{\"asDouble\":%<s}]}}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"dataPoints\":[{\"asInt\":%s}]}}]}]}]}",
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"gauge\":{\"dataPoints\":[{\"asDouble\":%s}]}}]}]}]}",
                "{\"resourceMetrics\":[]} %s", "%s {\"resourceMetrics\":[]}", "%s"};
        for (String place : places) {
            for (String value : values) {
                byte[] body = String.format(place, value).getBytes(StandardCharsets.UTF_8);
                assertEquals(outcome(body, Signal.METRICS, false), outcome(body, Signal.METRICS, true),
                        () -> new String(body, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void writesTheSameBytesForClaudeCodesRecordedExports() throws Exception {
        var recorded = OtlpJson.decode(Otlp.resource("cc-2.1.330-metrics-delta.json"),
                ExportMetricsServiceRequest.getDefaultInstance());
        List<byte[]> metrics = List.of(Otlp.resource("cc-2.1.330-metrics-delta.json"), OtlpJson.encode(recorded));
        for (byte[] body : metrics) {
            assertEquals(outcome(body, Signal.METRICS, false), outcome(body, Signal.METRICS, true));
        }
        byte[] logs = Otlp.resource("cc-2.1.330-logs.json");
        assertEquals(outcome(logs, Signal.LOGS, false), outcome(logs, Signal.LOGS, true));
        assertTrue(!outcome(logs, Signal.LOGS, true).equals("refused"));
    }

    @Test
    void readsUtf16AndUtf32AsJacksonDid() throws Exception {
        String body = "{\"resourceMetrics\":[{\"schemaUrl\":\"caf\u00e9 \ud83d\ude80\"}]}";
        for (String charset : new String[] {"UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE"}) {
            for (String mark : new String[] {"", "\ufeff"}) {
                byte[] encoded = (mark + body).getBytes(charset);
                String expected = outcome(encoded, Signal.METRICS, false);
                assertTrue(!expected.equals("refused"), charset);
                assertEquals(expected, outcome(encoded, Signal.METRICS, true), charset + " " + mark.length());
            }
        }
        byte[] withMark = ("\ufeff" + body).getBytes(StandardCharsets.UTF_8);
        assertEquals(outcome(withMark, Signal.METRICS, false), outcome(withMark, Signal.METRICS, true));
        byte[] brokenUtf16 = {'{', 0, '}', 0, (byte) 0x00, (byte) 0xDC}; // a lone low surrogate
        assertThrows(MalformedRequestException.class, () -> json.toWire(brokenUtf16, Signal.METRICS));
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        int removed = Math.min(remove, bytes.length - at);
        byte[] out = new byte[bytes.length - removed + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + removed, out, at + insert.length, bytes.length - at - removed);
        return out;
    }

    private static boolean validUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Random OTLP JSON walking the schema: mostly valid, with the odd value that either transcoder must refuse. */
    private static final class Generator {

        private final Random random;
        private final StringBuilder out = new StringBuilder();

        Generator(Random random) {
            this.random = random;
        }

        String request(Signal signal) {
            message(OtlpSchema.request(signal), 0);
            return ws() + out + ws();
        }

        private String ws() {
            return WHITESPACE[random.nextInt(WHITESPACE.length)];
        }

        private boolean chance(double p) {
            return random.nextDouble() < p;
        }

        private void message(MessageType type, int depth) {
            out.append('{').append(ws());
            List<Field> fields = new ArrayList<>(type.fields());
            java.util.Collections.shuffle(fields, random);
            boolean first = true;
            for (Field field : fields) {
                if (!chance(depth < 3 ? 0.7 : 0.3)) {
                    continue;
                }
                if (!first) {
                    out.append(',').append(ws());
                }
                first = false;
                if (chance(0.1)) { // a field OTLP may add one day
                    key(chance(0.5) ? "futureField" : "x\\u0079z");
                    anyJson(depth);
                    out.append(',').append(ws());
                }
                key(chance(0.2) ? field.name() : chance(0.05) ? "\\u00" + Integer.toHexString(field.jsonName()
                        .charAt(0)) + field.jsonName().substring(1) : field.jsonName());
                if (chance(0.03)) {
                    out.append("null");
                } else if (field.repeated()) {
                    out.append('[').append(ws());
                    int count = depth < 4 ? random.nextInt(4) : random.nextInt(2);
                    for (int i = 0; i < count; i++) {
                        out.append(i == 0 ? "" : "," + ws());
                        value(field, depth);
                    }
                    out.append(ws()).append(']');
                } else {
                    value(field, depth);
                }
                out.append(ws());
            }
            out.append('}');
        }

        private void key(String key) {
            out.append('"').append(key).append('"').append(ws()).append(':').append(ws());
        }

        private void value(Field field, int depth) {
            switch (field.type()) {
                case MESSAGE -> {
                    if (depth > 7) {
                        out.append("{}");
                    } else {
                        message(OtlpSchema.message(field.messageType()), depth + 1);
                    }
                }
                case STRING -> string();
                case BYTES -> {
                    byte[] bytes = new byte[random.nextInt(12)];
                    random.nextBytes(bytes);
                    String encoded = (chance(0.5) ? Base64.getEncoder() : Base64.getUrlEncoder()).encodeToString(bytes);
                    out.append('"').append(chance(0.1) ? encoded.replace("=", "") : encoded).append('"');
                }
                case HEX_ID -> {
                    byte[] bytes = new byte[chance(0.5) ? 8 : 16];
                    random.nextBytes(bytes);
                    String hex = HexFormat.of().formatHex(bytes);
                    out.append('"').append(chance(0.1) ? hex.toUpperCase() : chance(0.03) ? hex.substring(1) : hex)
                            .append('"');
                }
                case BOOL -> out.append(chance(0.97) ? (chance(0.5) ? "true" : "false") : "\"true\"");
                case DOUBLE -> number(true);
                case ENUM -> {
                    if (chance(0.5)) {
                        out.append(random.nextInt(4));
                    } else if (chance(0.9)) {
                        List<String> names = new ArrayList<>(field.enumValues().keySet());
                        out.append('"').append(names.get(random.nextInt(names.size()))).append('"');
                    } else {
                        out.append(chance(0.5) ? "\"SIDEWAYS\"" : "1.5");
                    }
                }
                default -> number(false);
            }
        }

        private void number(boolean floating) {
            String[] common = {"0", "1", "7", "1011", "-5", "1795416345144000000", "\"1795416345144000000\"",
                    "\"42\"", "\"-3\""};
            String[] odd = {"-0", "4294967295", "4294967296", "-2147483649", "9223372036854775807",
                    "9223372036854775808", "18446744073709551615", "18446744073709551616", "-9223372036854775809",
                    "\" 42 \"", "\"+7\"", "\"007\"", "\"18446744073709551615\"", "\"-1\"", "\"0x10\"", "\"\"",
                    "\"4\\u0032\"", "1.0", "1.5", "-0.0", "1e3", "1E+2", "2.5e-3", "1e400", "-1e99",
                    "0.005024000000000001", "123456789012345678", "1234567890123456789", "\"NaN\"", "\"Infinity\"",
                    "\"-Infinity\"", "\"1.25\"", "\"1e3\"", "\"soon\"", "true", "{}", "[]",
                    "100000000000000000000000000"};
            String[] floats = {"0.25", "1011.0", "-0.5e-3", "3.141592653589793", "1e-320", "9007199254740993",
                    "-9007199254740993"};
            if (floating && chance(0.4)) {
                out.append(floats[random.nextInt(floats.length)]);
            } else {
                out.append(chance(0.85) ? common[random.nextInt(common.length)] : odd[random.nextInt(odd.length)]);
            }
        }

        private void string() {
            out.append('"');
            int pieces = random.nextInt(chance(0.05) ? 80 : 6);
            for (int i = 0; i < pieces; i++) {
                out.append(STRING_PIECES[random.nextInt(STRING_PIECES.length)]);
            }
            out.append('"');
        }

        /** Any JSON value, as an unknown field's. */
        private void anyJson(int depth) {
            int kind = random.nextInt(depth > 4 ? 5 : 7);
            switch (kind) {
                case 0 -> string();
                case 1 -> out.append(new String[] {"0", "-1.5e+7", "1E2", "12345678901234567890123", "-0"}
                        [random.nextInt(5)]);
                case 2 -> out.append("true");
                case 3 -> out.append("false");
                case 4 -> out.append("null");
                case 5 -> {
                    out.append('[').append(ws());
                    for (int i = random.nextInt(3); i > 0; i--) {
                        anyJson(depth + 1);
                        out.append(i > 1 ? "," : "").append(ws());
                    }
                    out.append(']');
                }
                default -> {
                    out.append('{').append(ws());
                    for (int i = random.nextInt(3); i > 0; i--) {
                        key("k" + i);
                        anyJson(depth + 1);
                        out.append(i > 1 ? "," : "").append(ws());
                    }
                    out.append('}');
                }
            }
        }
    }
}
