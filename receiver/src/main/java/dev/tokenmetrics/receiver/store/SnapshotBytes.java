package dev.tokenmetrics.receiver.store;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A snapshot being encoded: room for its header, then the state. Unsynchronized and reusable, so that snapshots
 * after the first allocate nothing: under load, the half-megabyte arrays each cut allocated (and the copies made
 * while they doubled) filled the small heap, and cuts paid a full collection while every export waited.
 */
final class SnapshotBytes extends OutputStream {

    private final int headerBytes;
    private byte[] bytes;
    private int size;

    SnapshotBytes(int headerBytes, int expectedStateBytes) {
        this.headerBytes = headerBytes;
        this.bytes = new byte[headerBytes + expectedStateBytes];
        this.size = headerBytes;
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
        }
    }

    /** Empties the buffer for the next snapshot, keeping its capacity. */
    SnapshotBytes reset() {
        size = headerBytes;
        return this;
    }

    int stateBytes() {
        return size - headerBytes;
    }

    /** Header and state, from position 0; the header's bytes are the caller's to fill. */
    ByteBuffer contents() {
        return ByteBuffer.wrap(bytes, 0, size);
    }
}
