package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * BENCHMARK ONLY, never compiled by Maven: main's {@code WireReader} API over protobuf's {@link CodedInputStream}, for
 * {@code BenchWireReading} to put in front of main's class on a child JVM's class path, so that the very same
 * extractor code runs over either. A field is still a reader of its own (the API lets callers read it later), over
 * the same array; its CodedInputStream is made only when its fields are read, not for names and strings.
 */
public final class WireReader {

    private final byte[] bytes;
    private final int start;
    private final int end;
    private CodedInputStream in;
    private int tag;

    private WireReader(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.start = start;
        this.end = end;
    }

    public static WireReader of(byte[] bytes) {
        return new WireReader(bytes, 0, bytes.length);
    }

    public static WireReader empty() {
        return new WireReader(new byte[0], 0, 0);
    }

    public boolean next() throws MalformedRequestException {
        try {
            tag = in().readTag(); // 0 at the end; throws for field number 0
        } catch (InvalidProtocolBufferException e) {
            throw malformed(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if ((tag & 7) > WireType.FIXED32) {
            throw new MalformedRequestException("invalid protobuf body: invalid field tag " + tag);
        }
        return tag != 0;
    }

    public int tag() {
        return tag;
    }

    public long varint() throws MalformedRequestException {
        try {
            return in.readRawVarint64();
        } catch (InvalidProtocolBufferException e) {
            throw malformed(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public long fixed64() throws MalformedRequestException {
        try {
            return in.readRawLittleEndian64();
        } catch (InvalidProtocolBufferException e) {
            throw malformed(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public WireReader field() throws MalformedRequestException {
        try {
            int length = in.readRawVarint32();
            int position = start + in.getTotalBytesRead();
            if (length < 0 || length > end - position) {
                throw new MalformedRequestException("invalid protobuf body: field length " + length
                        + " runs past the end of its message");
            }
            in.skipRawBytes(length);
            return new WireReader(bytes, position, position + length);
        } catch (InvalidProtocolBufferException e) {
            throw malformed(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int enter() throws MalformedRequestException {
        try {
            int length = in.readRawVarint32();
            if (length < 0 || length > end - position()) {
                throw new MalformedRequestException("invalid protobuf body: field length " + length
                        + " runs past the end of its message");
            }
            return in.pushLimit(length);
        } catch (InvalidProtocolBufferException e) {
            throw malformed(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void leave(int outer) {
        try {
            in.skipRawBytes(in.getBytesUntilLimit());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        in.popLimit(outer);
    }

    public int pass() throws MalformedRequestException {
        WireReader field = field();
        return field.start;
    }

    public int position() {
        return start + in().getTotalBytesRead();
    }

    public void skip() throws MalformedRequestException {
        try {
            if (!in.skipField(tag)) {
                throw new MalformedRequestException("invalid protobuf body: unexpected end of group");
            }
        } catch (InvalidProtocolBufferException e) {
            throw malformed(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String text() throws MalformedRequestException {
        return text(bytes, start, end);
    }

    public static String text(byte[] bytes, int from, int to) throws MalformedRequestException {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                try {
                    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, from, to - from))
                            .toString();
                } catch (CharacterCodingException e) {
                    throw new MalformedRequestException("invalid protobuf body: string is not valid UTF-8");
                }
            }
        }
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    public boolean contentEquals(byte[] expected) {
        return Arrays.equals(bytes, start, end, expected, 0, expected.length);
    }

    public boolean isEmpty() {
        return start == end;
    }

    public byte[] array() {
        return bytes;
    }

    public int start() {
        return start;
    }

    public int end() {
        return end;
    }

    private CodedInputStream in() {
        if (in == null) {
            in = CodedInputStream.newInstance(bytes, start, end - start);
        }
        return in;
    }

    private static MalformedRequestException malformed(InvalidProtocolBufferException e) {
        return new MalformedRequestException("invalid protobuf body: " + e.getMessage());
    }
}
