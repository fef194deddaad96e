package dev.tokenmetrics.receiver.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.Field;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.MessageType;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Base64;

/**
 * The Jackson transcoder that {@link JsonEncoding}'s own reader replaced (as it was at 301556d, its responses left
 * out), kept as the oracle of {@code JsonTranscodingEquivalenceTest}: whatever JSON one takes, the other must write
 * the same bytes for, and what one refuses the other must refuse.
 */
final class JacksonTranscoder {

    /** OTLP's attribute values nest (kvlist in kvlist); real payloads stay far below this depth. */
    private static final int MAX_NESTING = 64;
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final JsonFactory factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    /** Transcodes the JSON into protobuf wire format, walking the schema: no builders, no reflection. */
    byte[] toWire(byte[] body, Signal signal) throws MalformedRequestException {
        var wire = new WireWriter(body.length / 2);
        try (JsonParser parser = factory.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedRequestException("JSON body must be an object");
            }
            transcodeMessage(parser, OtlpSchema.request(signal), wire);
            if (parser.nextToken() != null) {
                throw new MalformedRequestException("unexpected content after the JSON object");
            }
        } catch (StreamConstraintsException e) {
            throw new MalformedRequestException("JSON nested too deeply");
        } catch (JsonParseException e) {
            throw new MalformedRequestException("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedRequestException("unreadable JSON body: " + e.getMessage());
        }
        return wire.toByteArray();
    }

    /** Transcodes the fields of an object whose START_OBJECT was just consumed. */
    private static void transcodeMessage(JsonParser parser, MessageType type, WireWriter wire)
            throws IOException, MalformedRequestException {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            Field field = type.field(parser.currentName());
            JsonToken valueToken = parser.nextToken();
            if (field == null) {
                parser.skipChildren(); // unknown fields are ignored, as OTLP requires
                continue;
            }
            if (valueToken == JsonToken.VALUE_NULL) {
                continue; // null means "not set" in proto3 JSON
            }
            if (field.repeated()) {
                expect(parser, JsonToken.START_ARRAY, field);
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    transcodeValue(parser, field, wire); // unpacked: parsers accept it for packed fields too
                }
            } else {
                transcodeValue(parser, field, wire);
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new MalformedRequestException("malformed JSON object");
        }
    }

    private static void transcodeValue(JsonParser parser, Field field, WireWriter wire)
            throws IOException, MalformedRequestException {
        JsonToken token = parser.currentToken();
        int number = field.number();
        switch (field.type()) {
            case MESSAGE -> {
                expect(parser, JsonToken.START_OBJECT, field);
                wire.tag(number, WireType.LENGTH_DELIMITED);
                int mark = wire.mark();
                transcodeMessage(parser, OtlpSchema.message(field.messageType()), wire);
                wire.prefixLength(mark);
            }
            case INT64 -> varint(wire, number, readLong(parser, field, SIGNED_64));
            case UINT64 -> varint(wire, number, readLong(parser, field, UNSIGNED_64));
            case FIXED64 -> fixed64(wire, number, readLong(parser, field, UNSIGNED_64));
            case SFIXED64 -> fixed64(wire, number, readLong(parser, field, SIGNED_64));
            case INT32 -> varint(wire, number, (int) readLong(parser, field, SIGNED_32));
            case UINT32 -> varint(wire, number, readLong(parser, field, UNSIGNED_32));
            case SINT32 -> {
                int value = (int) readLong(parser, field, SIGNED_32);
                varint(wire, number, (value << 1) ^ (value >> 31));
            }
            case FIXED32 -> fixed32(wire, number, (int) readLong(parser, field, UNSIGNED_32));
            case DOUBLE -> fixed64(wire, number, Double.doubleToRawLongBits(readDouble(parser, field)));
            case BOOL -> {
                if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                    throw wrongType(field, "a boolean");
                }
                varint(wire, number, token == JsonToken.VALUE_TRUE ? 1 : 0);
            }
            case STRING -> {
                expect(parser, JsonToken.VALUE_STRING, field);
                wire.tag(number, WireType.LENGTH_DELIMITED);
                wire.string(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            }
            case BYTES, HEX_ID -> {
                expect(parser, JsonToken.VALUE_STRING, field);
                String text = parser.getText();
                wire.tag(number, WireType.LENGTH_DELIMITED);
                wire.bytes(field.type() == OtlpSchema.Type.HEX_ID ? hex(text, field) : base64(text, field));
            }
            case ENUM -> varint(wire, number, readEnum(parser, field));
        }
    }

    private static void varint(WireWriter wire, int number, long value) {
        wire.tag(number, WireType.VARINT);
        wire.varint(value);
    }

    private static void fixed64(WireWriter wire, int number, long value) {
        wire.tag(number, WireType.FIXED64);
        wire.fixed64(value);
    }

    private static void fixed32(WireWriter wire, int number, int value) {
        wire.tag(number, WireType.FIXED32);
        wire.fixed32(value);
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
    private static long readLong(JsonParser parser, Field field, Range range)
            throws IOException, MalformedRequestException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long value = parser.getLongValue();
            if (value >= range.fastMin() && value <= range.fastMax()) {
                return value;
            }
        } else if (token == JsonToken.VALUE_STRING) {
            try {
                long value = parseLong(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                if (value >= range.fastMin() && value <= range.fastMax()) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // beyond a long, padded with spaces, or not a number at all: readInteger tells which
            }
        }
        return readInteger(parser, field, range.min(), range.max()).longValue();
    }

    /**
     * A decimal integer, optionally signed, read straight from the parser's characters: every data point carries two
     * nanosecond times as strings, and a String apiece was a quarter of what transcoding allocated.
     */
    static long parseLong(char[] chars, int offset, int length) {
        int end = offset + length;
        int i = offset;
        boolean negative = i < end && chars[i] == '-';
        if (i < end && (negative || chars[i] == '+')) {
            i++;
        }
        if (i == end) {
            throw new NumberFormatException("no digits");
        }
        long value = 0; // accumulated negatively, as Long.parseLong does, so that Long.MIN_VALUE fits
        for (; i < end; i++) {
            int digit = chars[i] - '0';
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

    private static BigInteger readInteger(JsonParser parser, Field field, BigInteger min, BigInteger max)
            throws IOException, MalformedRequestException {
        BigInteger value;
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT) {
            value = parser.getBigIntegerValue();
        } else if (token == JsonToken.VALUE_STRING && parser.getTextLength() <= 24) {
            try {
                value = new BigInteger(parser.getText().trim());
            } catch (NumberFormatException e) {
                throw wrongType(field, "an integer");
            }
        } else {
            throw wrongType(field, "an integer");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new MalformedRequestException("field " + field.jsonName() + ": " + value + " is out of range");
        }
        return value;
    }

    private static double readDouble(JsonParser parser, Field field) throws IOException, MalformedRequestException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            return parser.getDoubleValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            switch (parser.getText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(parser.getText());
                    } catch (NumberFormatException e) {
                        throw wrongType(field, "a number");
                    }
            }
        }
        throw wrongType(field, "a number");
    }

    private static int readEnum(JsonParser parser, Field field) throws IOException, MalformedRequestException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return (int) readLong(parser, field, SIGNED_32);
        }
        if (token == JsonToken.VALUE_STRING) {
            Integer value = field.enumValues().get(parser.getText());
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

    private static void expect(JsonParser parser, JsonToken expected, Field field) throws MalformedRequestException {
        if (parser.currentToken() != expected) {
            throw wrongType(field, switch (expected) {
                case START_ARRAY -> "an array";
                case START_OBJECT -> "an object";
                default -> "a string";
            });
        }
    }

    private static MalformedRequestException wrongType(Field field, String expected) {
        return new MalformedRequestException("field " + field.jsonName() + " must be " + expected);
    }
}
