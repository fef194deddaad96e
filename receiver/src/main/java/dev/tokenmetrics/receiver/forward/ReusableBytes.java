package dev.tokenmetrics.receiver.forward;

import java.util.Arrays;

/**
 * A growing byte array the sender fills again for every batch: requests of hundreds of kilobytes, built and
 * compressed in arrays that stay, rather than new ones per batch, which the daemon's small young generation
 * (the launcher's 4 MB) would promote and collect in full. An array grown past {@code keepBytes} by an outsized
 * batch is let go at the next {@link #reset}. Not thread-safe: the sender's own.
 */
final class ReusableBytes {

    private final int keepBytes;
    private byte[] bytes;
    private int size;

    ReusableBytes(int initialBytes, int keepBytes) {
        this.keepBytes = keepBytes;
        this.bytes = new byte[initialBytes];
    }

    byte[] array() {
        return bytes;
    }

    int size() {
        return size;
    }

    /** Empties it; an array grown past the bound is replaced by one of the bound's size. */
    void reset() {
        size = 0;
        if (bytes.length > keepBytes) {
            bytes = new byte[keepBytes];
        }
    }

    /** Forgets everything from {@code size} on: what a failed write left. */
    void truncate(int size) {
        this.size = size;
    }

    /** Room for {@code more} bytes after the last: {@link #array()} may be another array afterwards. */
    void ensure(int more) {
        long needed = (long) size + more;
        if (needed > bytes.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError("a forwarding request of " + needed + " bytes");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * bytes.length)));
        }
    }

    /** Counts bytes written straight into {@link #array()} after {@link #ensure}. */
    void advance(int written) {
        size += written;
    }

    void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void write(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    void write(byte[] source) {
        write(source, 0, source.length);
    }

    /** A protobuf varint. */
    void varint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
