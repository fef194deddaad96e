package dev.tokenmetrics.receiver.otlp;

import java.util.Arrays;

/**
 * Writes protobuf wire format into one growing array. A nested message is written in place after one byte kept for
 * its length, which is written there when it ends: most messages (attributes, data points) are shorter than 128
 * bytes and cost nothing more; a longer one moves up by the extra bytes its length needs.
 */
public final class WireWriter {

    private byte[] bytes;
    private int size;

    public WireWriter(int initialCapacity) {
        bytes = new byte[Math.max(64, initialCapacity)];
    }

    byte[] bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** Starts a field: its number and one of {@link WireType}'s wire types. */
    public void tag(int fieldNumber, int wireType) {
        varint(((long) fieldNumber << 3) | wireType);
    }

    void varint(long value) {
        ensure(10);
        putVarint(value);
    }

    void fixed64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    void fixed32(int value) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    void bytes(byte[] value) {
        bytes(value, 0, value.length);
    }

    /** Writes the bytes with their length prefix: a string or bytes field's value. */
    void bytes(byte[] source, int offset, int length) {
        varint(length);
        raw(source, offset, length);
    }

    // One call per field for JsonEncoding: C1, the daemon's compiler, does not inline the calls these would take.

    /** A varint field: its tag (as {@link WireType#tag} makes it) and value. */
    void varintField(int tag, long value) {
        ensure(15);
        putVarint(tag);
        putVarint(value);
    }

    void fixed64Field(int tag, long value) {
        ensure(13);
        putVarint(tag);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    void fixed32Field(int tag, int value) {
        ensure(9);
        putVarint(tag);
        for (int i = 0; i < 4; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    /** A string or bytes field whose value is these bytes. */
    void bytesField(int tag, byte[] source, int offset, int length) {
        ensure(10 + length);
        putVarint(tag);
        putVarint(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** Starts a length-delimited field, its length to come: returns the mark to pass to {@link #prefixLength}. */
    int startField(int tag) {
        ensure(6);
        putVarint(tag);
        return ++size;
    }

    /** Writes a varint where there is room for it. */
    private void putVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    void rawByte(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
    }

    /** Writes a code point as UTF-8, without a length prefix. */
    void codePoint(int codePoint) {
        ensure(4);
        if (codePoint < 0x80) {
            bytes[size++] = (byte) codePoint;
        } else if (codePoint < 0x800) {
            bytes[size++] = (byte) (0xC0 | (codePoint >>> 6));
            bytes[size++] = (byte) (0x80 | (codePoint & 0x3F));
        } else if (codePoint < 0x10000) {
            bytes[size++] = (byte) (0xE0 | (codePoint >>> 12));
            bytes[size++] = (byte) (0x80 | ((codePoint >>> 6) & 0x3F));
            bytes[size++] = (byte) (0x80 | (codePoint & 0x3F));
        } else {
            bytes[size++] = (byte) (0xF0 | (codePoint >>> 18));
            bytes[size++] = (byte) (0x80 | ((codePoint >>> 12) & 0x3F));
            bytes[size++] = (byte) (0x80 | ((codePoint >>> 6) & 0x3F));
            bytes[size++] = (byte) (0x80 | (codePoint & 0x3F));
        }
    }

    /** Copies bytes as they are: fields read elsewhere, passed through unchanged. */
    public void raw(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** Writes the text as a length-prefixed UTF-8 string. */
    public void string(String text) {
        string(text.toCharArray(), 0, text.length());
    }

    /** Writes the characters as UTF-8 with their length prefix; a lone surrogate becomes '?'. */
    void string(char[] chars, int offset, int length) {
        int start = mark();
        ensure(length * 3);
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                bytes[size++] = (byte) c;
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xC0 | (c >>> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                int codePoint = Character.toCodePoint(c, chars[++i]);
                bytes[size++] = (byte) (0xF0 | (codePoint >>> 18));
                bytes[size++] = (byte) (0x80 | ((codePoint >>> 12) & 0x3F));
                bytes[size++] = (byte) (0x80 | ((codePoint >>> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (codePoint & 0x3F));
            } else if (Character.isSurrogate(c)) {
                bytes[size++] = '?';
            } else {
                bytes[size++] = (byte) (0xE0 | (c >>> 12));
                bytes[size++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        prefixLength(start);
    }

    /**
     * Starts a nested message or length-delimited value, keeping a byte for its length; returns the mark to pass to
     * {@link #prefixLength}.
     */
    public int mark() {
        ensure(1);
        return ++size;
    }

    /** Writes the varint length of everything written since {@code start} before it. */
    public void prefixLength(int start) {
        int length = size - start;
        if (length < 0x80) {
            bytes[start - 1] = (byte) length;
            return;
        }
        int extra = varintSize(length) - 1;
        ensure(extra);
        System.arraycopy(bytes, start, bytes, start + extra, length);
        int position = start - 1;
        long value = length;
        while ((value & ~0x7FL) != 0) {
            bytes[position++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[position] = (byte) value;
        size += extra;
    }

    private static int varintSize(int value) {
        int size = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
