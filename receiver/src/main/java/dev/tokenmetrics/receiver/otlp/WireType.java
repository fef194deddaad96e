package dev.tokenmetrics.receiver.otlp;

/**
 * Protobuf's wire types, the low three bits of a field's tag: defined here once for {@link WireReader},
 * {@link WireWriter} and {@link OtlpSchema}. {@code OtlpSchemaTest} holds them equal to protobuf-java's.
 */
public final class WireType {

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;

    private WireType() {
    }

    /** The tag that starts a field on the wire: its number and wire type, as {@link WireReader#tag()} reports it. */
    public static int tag(int fieldNumber, int wireType) {
        return fieldNumber << 3 | wireType;
    }
}
