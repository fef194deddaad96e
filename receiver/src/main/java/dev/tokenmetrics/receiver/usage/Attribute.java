package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.util.Arrays;

/**
 * One OTLP KeyValue as it arrived on the wire: ranges of the export's bytes, read in place. An export's attributes
 * are most of its fields, and a reader for each key, value and string was a quarter (metrics) to a third (logs) of
 * what reading an export allocated. The value is an AnyValue, of which usage reads the scalar cases (string, bool,
 * int, double); any other case keeps the AnyValue's raw bytes, enough to tell streams apart.
 *
 * @param wire      the export's bytes, which the ranges below are of
 * @param keyFrom   where the key's UTF-8 bytes start
 * @param keyTo     where they end
 * @param valueCase the AnyValue field that was set last, as protobuf's oneof rule has it; 0 when none was
 * @param number    the bool, int or double (as its bits) for those cases
 * @param from      where the string for a string value starts, otherwise the whole AnyValue
 * @param to        where it ends
 */
record Attribute(byte[] wire, int keyFrom, int keyTo, int valueCase, long number, int from, int to) {

    // The AnyValue cases, by their field numbers as protobuf's oneof reports them.
    static final int STRING = OtlpTags.STRING_VALUE >>> 3;
    static final int BOOL = OtlpTags.BOOL_VALUE >>> 3;
    static final int INT = OtlpTags.INT_VALUE >>> 3;
    static final int DOUBLE = OtlpTags.DOUBLE_VALUE >>> 3;

    /** Reads the KeyValue message that is the reader's current field; the reader moves past it. */
    static Attribute read(WireReader reader) throws MalformedRequestException {
        int outer = reader.enter();
        int keyFrom = 0;
        int keyTo = 0;
        Attribute value = null;
        while (reader.next()) {
            int tag = reader.tag();
            if (tag == OtlpTags.KEY_VALUE_KEY) {
                keyFrom = reader.pass();
                keyTo = reader.position();
            } else if (tag == OtlpTags.KEY_VALUE_VALUE) {
                value = value(reader, keyFrom, keyTo);
            } else {
                reader.skip();
            }
        }
        reader.leave(outer);
        if (value == null) {
            return new Attribute(reader.array(), keyFrom, keyTo, 0, 0, 0, 0);
        }
        // Clients write the key first; a key after its value is legal, and costs this copy.
        return value.keyFrom == keyFrom && value.keyTo == keyTo ? value
                : new Attribute(value.wire, keyFrom, keyTo, value.valueCase, value.number, value.from, value.to);
    }

    /** Reads the AnyValue that is the reader's current field, such as a log record's body: a value without a key. */
    static Attribute value(WireReader reader) throws MalformedRequestException {
        return value(reader, 0, 0);
    }

    private static Attribute value(WireReader reader, int keyFrom, int keyTo) throws MalformedRequestException {
        int outer = reader.enter();
        int anyFrom = reader.position();
        int valueCase = 0;
        long number = 0;
        int stringFrom = 0;
        int stringTo = 0;
        while (reader.next()) {
            int tag = reader.tag();
            if (tag == OtlpTags.STRING_VALUE) {
                valueCase = STRING;
                stringFrom = reader.pass();
                stringTo = reader.position();
            } else if (tag == OtlpTags.BOOL_VALUE) {
                valueCase = BOOL;
                number = reader.varint() != 0 ? 1 : 0;
            } else if (tag == OtlpTags.INT_VALUE) {
                valueCase = INT;
                number = reader.varint();
            } else if (tag == OtlpTags.DOUBLE_VALUE) {
                valueCase = DOUBLE;
                number = reader.fixed64();
            } else if (tag == OtlpTags.ARRAY_VALUE || tag == OtlpTags.KVLIST_VALUE || tag == OtlpTags.BYTES_VALUE) {
                valueCase = tag >>> 3;
                reader.skip();
            } else {
                reader.skip();
            }
        }
        int anyTo = reader.position();
        reader.leave(outer);
        return valueCase == STRING
                ? new Attribute(reader.array(), keyFrom, keyTo, valueCase, number, stringFrom, stringTo)
                : new Attribute(reader.array(), keyFrom, keyTo, valueCase, number, anyFrom, anyTo);
    }

    /** Whether the key's bytes are exactly {@code key}. */
    boolean keyIs(byte[] key) {
        return Arrays.equals(wire, keyFrom, keyTo, key, 0, key.length);
    }

    String key() throws MalformedRequestException {
        return WireReader.text(wire, keyFrom, keyTo);
    }

    /** Whether the value is this string, as UTF-8 bytes. */
    boolean isString(byte[] utf8) {
        return valueCase == STRING && Arrays.equals(wire, from, to, utf8, 0, utf8.length);
    }

    /** The value as text for the scalar cases, or null. */
    String scalar() throws MalformedRequestException {
        if (valueCase == STRING) {
            return WireReader.text(wire, from, to);
        } else if (valueCase == BOOL) {
            return number != 0 ? "true" : "false";
        } else if (valueCase == INT) {
            return Long.toString(number);
        } else if (valueCase == DOUBLE) {
            return Double.toString(Double.longBitsToDouble(number));
        }
        return null;
    }
}
