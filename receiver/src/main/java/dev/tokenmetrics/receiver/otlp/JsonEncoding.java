package dev.tokenmetrics.receiver.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.Field;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code application/json}: the OTLP/HTTP JSON encoding. It is proto3's JSON mapping with OTLP's own rules, which
 * protobuf's JsonFormat gets wrong: trace and span ids are hex strings (not base64), and unknown fields are ignored
 * so that newer clients keep working. Int64 values may be strings or numbers; enums integers or names.
 * The transcoder walks {@link OtlpSchema} (through {@link JsonSchema}), so it covers every OTLP request message
 * without generated JSON code, and reads the body's bytes with {@link JsonScanner}: a string goes to the wire as a
 * copy of its bytes, a key is matched by its bytes. Through Jackson's parser (characters decoded, then encoded again;
 * a String looked up in a map per key) it cost more than twice as much: docs/PERFORMANCE.md, "JSON transcoding".
 */
public final class JsonEncoding implements Encoding {

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final JsonFactory factory = new JsonFactory();
    private final JsonSchema schema = new JsonSchema();

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    /** Transcodes the JSON into protobuf wire format, walking the schema: no tree, no builders, no reflection. */
    @Override
    public byte[] toWire(byte[] body, Signal signal) throws MalformedRequestException {
        var json = new JsonScanner(utf8(body));
        var wire = new WireWriter(body.length / 2);
        if (json.peek() != '{') {
            throw new MalformedRequestException("JSON body must be an object");
        }
        transcodeMessage(json, schema.request(signal), wire);
        if (json.peek() != -1) {
            throw new MalformedRequestException("unexpected content after the JSON object");
        }
        return wire.toByteArray();
    }

    /**
     * The body as UTF-8. JSON between systems is UTF-8 (RFC 8259), but Jackson, which read these bodies before, also
     * took UTF-16 and UTF-32, told apart by a byte order mark or by where the zero bytes fall among the first four (a
     * JSON text starts with an ASCII character): still taken, re-encoded first.
     */
    private static byte[] utf8(byte[] body) throws MalformedRequestException {
        if (body.length < 2 || (body[0] != 0 && body[1] != 0 && (body[0] & 0xFE) != 0xFE)) {
            return body; // the usual case: UTF-8, which JsonScanner checks as it reads
        }
        int b0 = body[0] & 0xFF;
        int b1 = body[1] & 0xFF;
        boolean quad = body.length >= 4 && ((b0 == 0 && b1 == 0) || ((body[2] | body[3]) == 0 && b0 != 0));
        Charset charset;
        if (quad) {
            charset = Charset.forName(b0 == 0 ? "UTF-32" : "UTF-32LE"); // "UTF-32" reads a mark; LE's, JsonScanner skips
        } else if ((b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE)) {
            charset = StandardCharsets.UTF_16; // which reads the mark
        } else if (b0 == 0 || b1 == 0) {
            charset = b0 == 0 ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_16LE;
        } else {
            return body;
        }
        try {
            CharBuffer text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return text.toString().getBytes(StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new MalformedRequestException("invalid JSON: not valid " + charset.name());
        }
    }

    /** Transcodes an object whose '{' {@link JsonScanner#peek} saw. */
    private void transcodeMessage(JsonScanner json, JsonSchema.Message type, WireWriter wire)
            throws MalformedRequestException {
        json.enter();
        for (boolean first = true; json.next('}', first); first = false) {
            json.name();
            JsonSchema.Member member = json.escaped() ? type.find(json.text())
                    : type.find(json.bytes(), json.start(), json.length());
            int c = json.peek();
            if (member == null) {
                json.skipValue(); // unknown fields are ignored, as OTLP requires
            } else if (c == 'n') {
                json.nullValue(); // null means "not set" in proto3 JSON
            } else if (member.field().repeated()) {
                if (c != '[') {
                    throw wrongType(member.field(), "an array");
                }
                json.enter();
                for (boolean firstValue = true; json.next(']', firstValue); firstValue = false) {
                    transcodeValue(json, json.peek(), member, wire); // unpacked: parsers accept it for packed fields too
                }
            } else {
                transcodeValue(json, c, member, wire);
            }
        }
    }

    /** Transcodes a field's value, whose first byte is c. */
    private void transcodeValue(JsonScanner json, int c, JsonSchema.Member member, WireWriter wire)
            throws MalformedRequestException {
        Field field = member.field();
        int tag = member.tag();
        switch (field.type()) {
            case MESSAGE -> {
                if (c != '{') {
                    throw wrongType(field, "an object");
                }
                int mark = wire.startField(tag);
                transcodeMessage(json, schema.message(member.message()), wire);
                wire.prefixLength(mark);
            }
            case STRING -> {
                if (c != '"') {
                    throw wrongType(field, "a string");
                }
                json.string();
                if (json.escaped()) {
                    int mark = wire.startField(tag);
                    json.unescape(wire);
                    wire.prefixLength(mark);
                } else { // checked UTF-8 already: copied as it is
                    wire.bytesField(tag, json.bytes(), json.start(), json.length());
                }
            }
            case INT64 -> wire.varintField(tag, readLong(json, c, field, SIGNED_64));
            case UINT64 -> wire.varintField(tag, readLong(json, c, field, UNSIGNED_64));
            case FIXED64 -> wire.fixed64Field(tag, readLong(json, c, field, UNSIGNED_64));
            case SFIXED64 -> wire.fixed64Field(tag, readLong(json, c, field, SIGNED_64));
            case INT32 -> wire.varintField(tag, (int) readLong(json, c, field, SIGNED_32));
            case UINT32 -> wire.varintField(tag, readLong(json, c, field, UNSIGNED_32));
            case SINT32 -> {
                int value = (int) readLong(json, c, field, SIGNED_32);
                wire.varintField(tag, (value << 1) ^ (value >> 31));
            }
            case FIXED32 -> wire.fixed32Field(tag, (int) readLong(json, c, field, UNSIGNED_32));
            case DOUBLE -> wire.fixed64Field(tag, Double.doubleToRawLongBits(readDouble(json, c, field)));
            case BOOL -> {
                if (c != 't' && c != 'f') {
                    throw wrongType(field, "a boolean");
                }
                wire.varintField(tag, json.bool() ? 1 : 0);
            }
            case BYTES, HEX_ID -> {
                if (c != '"') {
                    throw wrongType(field, "a string");
                }
                json.string();
                String text = json.text();
                byte[] bytes = field.type() == OtlpSchema.Type.HEX_ID ? hex(text, field) : base64(text, field);
                wire.bytesField(tag, bytes, 0, bytes.length);
            }
            case ENUM -> wire.varintField(tag, readEnum(json, c, field));
        }
    }

    /** The range an integer field accepts. */
    private record Range(BigInteger min, BigInteger max, long fastMin, long fastMax) {
    }

    private static final Range SIGNED_64 = new Range(BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE),
            Long.MIN_VALUE, Long.MAX_VALUE);
    private static final Range UNSIGNED_64 = new Range(BigInteger.ZERO, UINT64_MAX, 0, Long.MAX_VALUE);
    private static final Range SIGNED_32 = new Range(BigInteger.valueOf(Integer.MIN_VALUE),
            BigInteger.valueOf(Integer.MAX_VALUE), Integer.MIN_VALUE, Integer.MAX_VALUE);
    private static final Range UNSIGNED_32 = new Range(BigInteger.ZERO, BigInteger.valueOf(0xFFFF_FFFFL), 0, 0xFFFF_FFFFL);

    /** An integer from a JSON number or string, as the 64 bits the wire format carries. */
    private static long readLong(JsonScanner json, int c, Field field, Range range) throws MalformedRequestException {
        if (c == '"') {
            json.string();
            return integerString(json, field, range);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            json.number();
            if (!json.integral()) {
                throw wrongType(field, "an integer");
            }
            return integerNumber(json, field, range);
        }
        throw wrongType(field, "an integer");
    }

    /** The integer the string just read holds: decimal, optionally signed, perhaps padded with spaces. */
    private static long integerString(JsonScanner json, Field field, Range range) throws MalformedRequestException {
        String text = json.escaped() ? json.text() : null;
        try {
            long value = text != null ? parseLong(text.toCharArray(), 0, text.length())
                    : parseLong(json.bytes(), json.start(), json.length());
            if (value >= range.fastMin() && value <= range.fastMax()) {
                return value;
            }
        } catch (NumberFormatException e) {
            // beyond a long, padded with spaces, or not a number at all: BigInteger tells which
        }
        text = text != null ? text : json.text();
        if (text.length() > 24) {
            throw wrongType(field, "an integer");
        }
        try {
            return inRange(new BigInteger(text.trim()), field, range);
        } catch (NumberFormatException e) {
            throw wrongType(field, "an integer");
        }
    }

    /** The integer the number just read holds, which has neither a fraction nor an exponent. */
    private static long integerNumber(JsonScanner json, Field field, Range range) throws MalformedRequestException {
        try {
            long value = parseLong(json.bytes(), json.start(), json.length());
            if (value >= range.fastMin() && value <= range.fastMax()) {
                return value;
            }
        } catch (NumberFormatException e) {
            // beyond a long
        }
        return inRange(new BigInteger(json.numberText()), field, range);
    }

    private static long inRange(BigInteger value, Field field, Range range) throws MalformedRequestException {
        if (value.compareTo(range.min()) < 0 || value.compareTo(range.max()) > 0) {
            throw new MalformedRequestException("field " + field.jsonName() + ": " + value + " is out of range");
        }
        return value.longValue();
    }

    /**
     * A decimal integer, optionally signed, read straight from the body's bytes: every data point carries two
     * nanosecond times as strings.
     */
    static long parseLong(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        boolean negative = i < end && bytes[i] == '-';
        if (i < end && (negative || bytes[i] == '+')) {
            i++;
        }
        if (i == end) {
            throw new NumberFormatException("no digits");
        }
        long value = 0; // accumulated negatively, as Long.parseLong does, so that Long.MIN_VALUE fits
        for (; i < end; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new NumberFormatException("not a digit");
            }
            if (value < Long.MIN_VALUE / 10 || value * 10 < Long.MIN_VALUE + digit) {
                throw new NumberFormatException("beyond a long");
            }
            value = value * 10 - digit;
        }
        if (negative) {
            return value;
        }
        if (value == Long.MIN_VALUE) {
            throw new NumberFormatException("beyond a long");
        }
        return -value;
    }

    /** {@link #parseLong(byte[], int, int)} over characters: an integer string that held escapes, decoded. */
    static long parseLong(char[] chars, int offset, int length) {
        byte[] ascii = new byte[length];
        for (int i = 0; i < length; i++) {
            char c = chars[offset + i];
            ascii[i] = c < 0x80 ? (byte) c : (byte) 'x'; // no digit: not one of '0'-'9' either
        }
        return parseLong(ascii, 0, length);
    }

    private static double readDouble(JsonScanner json, int c, Field field) throws MalformedRequestException {
        if (c == '-' || (c >= '0' && c <= '9')) {
            json.number();
            return doubleOf(json);
        }
        if (c == '"') {
            json.string();
            String text = json.text();
            switch (text) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        throw wrongType(field, "a number");
                    }
            }
        }
        throw wrongType(field, "a number");
    }

    /** Powers of ten that a double holds exactly. */
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * The number just read, as a double. Without an exponent, with digits that make an integer of at most 2^53 and
     * at most 22 of them after the point, it is that integer over a power of ten, both exact, so the one division
     * rounds as Double.parseDouble would (Clinger's fast path): Claude Code's values, without parseDouble's cost.
     */
    private static double doubleOf(JsonScanner json) {
        byte[] bytes = json.bytes();
        int i = json.start();
        int end = i + json.length();
        boolean negative = bytes[i] == '-';
        if (negative) {
            i++;
        }
        long digits = 0;
        int count = 0;
        int decimals = -1; // none until the point
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b == '.') {
                decimals = 0;
            } else if (b >= '0' && b <= '9' && ((digits == 0 && b == '0') || ++count <= 16)) { // leading zeros free
                digits = digits * 10 + (b - '0');
                decimals += decimals >= 0 ? 1 : 0;
            } else {
                return Double.parseDouble(json.numberText()); // an exponent, or more digits than a double holds
            }
        }
        if (digits > 1L << 53 || decimals > 22) { // 16 digits may exceed 2^53
            return Double.parseDouble(json.numberText());
        }
        if (decimals < 0) {
            return negative ? -digits : digits; // an integer: "-0" is 0.0, as Jackson read it before
        }
        double value = digits / POWERS_OF_TEN[decimals];
        return negative ? -value : value;
    }

    private static int readEnum(JsonScanner json, int c, Field field) throws MalformedRequestException {
        if (c == '-' || (c >= '0' && c <= '9')) {
            json.number();
            if (json.integral()) {
                return (int) integerNumber(json, field, SIGNED_32);
            }
        }
        if (c == '"') {
            json.string();
            Integer value = field.enumValues().get(json.text());
            if (value != null) {
                return value;
            }
        }
        throw wrongType(field, "an enum value");
    }

    private static byte[] hex(String text, Field field) throws MalformedRequestException {
        if (text.length() % 2 != 0) {
            throw wrongType(field, "a hex string");
        }
        byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int high = Character.digit(text.charAt(2 * i), 16);
            int low = Character.digit(text.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0) {
                throw wrongType(field, "a hex string");
            }
            bytes[i] = (byte) (high << 4 | low);
        }
        return bytes;
    }

    private static byte[] base64(String text, Field field) throws MalformedRequestException {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(text);
            } catch (IllegalArgumentException e2) {
                throw wrongType(field, "a base64 string");
            }
        }
    }

    private static MalformedRequestException wrongType(Field field, String expected) {
        return new MalformedRequestException("field " + field.jsonName() + " must be " + expected);
    }

    /**
     * int64 counts are strings in OTLP JSON; unset fields are left out. The usual answer, everything accepted, is
     * written as it stands: a Jackson generator for every export showed in the profile of the thread that answers
     * (docs/PERFORMANCE.md, "JSON transcoding").
     */
    @Override
    public byte[] exportResponse(Signal signal, long rejected, String errorMessage) {
        if (rejected == 0 && errorMessage.isEmpty()) {
            return new byte[] {'{', '}'};
        }
        return write(generator -> {
            generator.writeStartObject();
            if (rejected != 0 || !errorMessage.isEmpty()) {
                generator.writeObjectFieldStart("partialSuccess");
                if (rejected != 0) {
                    generator.writeStringField(signal.rejectedJsonName(), Long.toString(rejected));
                }
                if (!errorMessage.isEmpty()) {
                    generator.writeStringField("errorMessage", errorMessage);
                }
                generator.writeEndObject();
            }
            generator.writeEndObject();
        });
    }

    @Override
    public byte[] status(int code, String message) {
        return write(generator -> {
            generator.writeStartObject();
            if (code != 0) {
                generator.writeNumberField("code", code);
            }
            if (!message.isEmpty()) {
                generator.writeStringField("message", message);
            }
            generator.writeEndObject();
        });
    }

    private interface Writing {
        void write(JsonGenerator generator) throws IOException;
    }

    private byte[] write(Writing writing) {
        var out = new ByteArrayOutputStream(64);
        try (JsonGenerator generator = factory.createGenerator(out)) {
            writing.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toByteArray();
    }
}
