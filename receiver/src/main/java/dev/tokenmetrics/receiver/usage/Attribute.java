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

    static final int STRING = 1;
    static final int BOOL = 2;
    static final int INT = 3;
    static final int DOUBLE = 4;

    private static final int KEY = 1 << 3 | WireReader.LENGTH_DELIMITED;
    private static final int VALUE = 2 << 3 | WireReader.LENGTH_DELIMITED;
    private static final int STRING_VALUE = 1 << 3 | WireReader.LENGTH_DELIMITED;
    private static final int BOOL_VALUE = 2 << 3 | WireReader.VARINT;
    private static final int INT_VALUE = 3 << 3 | WireReader.VARINT;
    private static final int DOUBLE_VALUE = 4 << 3 | WireReader.FIXED64;
    private static final int ARRAY_VALUE = 5 << 3 | WireReader.LENGTH_DELIMITED;
    private static final int KVLIST_VALUE = 6 << 3 | WireReader.LENGTH_DELIMITED;
    private static final int BYTES_VALUE = 7 << 3 | WireReader.LENGTH_DELIMITED;

    /** Reads a KeyValue message. */
    static Attribute read(WireReader keyValue) throws MalformedRequestException {
        WireReader key = null;
        WireReader value = null;
        while (keyValue.next()) {
            switch (keyValue.tag()) {
                case KEY -> key = keyValue.field();
                case VALUE -> value = keyValue.field();
                default -> keyValue.skip();
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
            switch (fields.tag()) {
                case STRING_VALUE -> {
                    valueCase = STRING;
                    string = fields.field();
                }
                case BOOL_VALUE -> {
                    valueCase = BOOL;
                    number = fields.varint() != 0 ? 1 : 0;
                }
                case INT_VALUE -> {
                    valueCase = INT;
                    number = fields.varint();
                }
                case DOUBLE_VALUE -> {
                    valueCase = DOUBLE;
                    number = fields.fixed64();
                }
                case ARRAY_VALUE, KVLIST_VALUE, BYTES_VALUE -> {
                    valueCase = fields.tag() >>> 3;
                    fields.skip();
                }
                default -> fields.skip();
            }
        }
        return new Attribute(key, valueCase, number, valueCase == STRING ? string : value);
    }

    /** The value as text for the scalar cases, or null. */
    String scalar() throws MalformedRequestException {
        return switch (valueCase) {
            case STRING -> bytes.text();
            case BOOL -> number != 0 ? "true" : "false";
            case INT -> Long.toString(number);
            case DOUBLE -> Double.toString(Double.longBitsToDouble(number));
            default -> null;
        };
    }

}
