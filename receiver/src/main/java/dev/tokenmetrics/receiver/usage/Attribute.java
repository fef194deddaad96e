package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;

/**
 * One OTLP KeyValue as it arrived on the wire. The value is an AnyValue, of which usage reads the scalar cases
 * (string, bool, int, double); any other case keeps the AnyValue's raw bytes, enough to tell streams apart.
 *
 * @param valueCase the AnyValue field that was set last, as protobuf's oneof rule has it; 0 when none was
 * @param number    the bool, int or double (as its bits) for those cases
 * @param bytes     the string for a string value, otherwise the whole AnyValue
 */
record Attribute(WireReader key, int valueCase, long number, WireReader bytes) {

    // The AnyValue cases, by their field numbers as protobuf's oneof reports them.
    static final int STRING = OtlpTags.STRING_VALUE >>> 3;
    static final int BOOL = OtlpTags.BOOL_VALUE >>> 3;
    static final int INT = OtlpTags.INT_VALUE >>> 3;
    static final int DOUBLE = OtlpTags.DOUBLE_VALUE >>> 3;

    /** Reads a KeyValue message. */
    static Attribute read(WireReader keyValue) throws MalformedRequestException {
        WireReader key = null;
        WireReader value = null;
        while (keyValue.next()) {
            int tag = keyValue.tag();
            if (tag == OtlpTags.KEY_VALUE_KEY) {
                key = keyValue.field();
            } else if (tag == OtlpTags.KEY_VALUE_VALUE) {
                value = keyValue.field();
            } else {
                keyValue.skip();
            }
        }
        return value(key == null ? WireReader.empty() : key, value == null ? WireReader.empty() : value);
    }

    /** Reads an AnyValue on its own, such as a log record's body: an attribute without a key. */
    static Attribute value(WireReader anyValue) throws MalformedRequestException {
        return value(WireReader.empty(), anyValue);
    }

    private static Attribute value(WireReader key, WireReader value) throws MalformedRequestException {
        int valueCase = 0;
        long number = 0;
        WireReader string = null;
        WireReader fields = value; // read through once; afterwards only its range is used
        while (fields.next()) {
            int tag = fields.tag();
            if (tag == OtlpTags.STRING_VALUE) {
                valueCase = STRING;
                string = fields.field();
            } else if (tag == OtlpTags.BOOL_VALUE) {
                valueCase = BOOL;
                number = fields.varint() != 0 ? 1 : 0;
            } else if (tag == OtlpTags.INT_VALUE) {
                valueCase = INT;
                number = fields.varint();
            } else if (tag == OtlpTags.DOUBLE_VALUE) {
                valueCase = DOUBLE;
                number = fields.fixed64();
            } else if (tag == OtlpTags.ARRAY_VALUE || tag == OtlpTags.KVLIST_VALUE || tag == OtlpTags.BYTES_VALUE) {
                valueCase = tag >>> 3;
                fields.skip();
            } else {
                fields.skip();
            }
        }
        return new Attribute(key, valueCase, number, valueCase == STRING ? string : value);
    }

    /** The value as text for the scalar cases, or null. */
    String scalar() throws MalformedRequestException {
        if (valueCase == STRING) {
            return bytes.text();
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
