package dev.tokenmetrics.receiver.forward;

import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzip (RFC 1952) at the fastest level, with one {@link Deflater} kept for every request: a new one per request
 * (as {@code GZIPOutputStream} makes) allocates and frees zlib's state, some 256 KB of native memory, each time.
 * OTLP protobuf is repetitive (attribute keys, names), so level 1 already shrinks it several times, for a fraction
 * of the default level's CPU on the sender, which shares the daemon's cores. Not thread-safe: the sender's own.
 */
final class Gzip implements AutoCloseable {

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};

    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
    private final CRC32 crc = new CRC32();

    /** Appends the gzip member of {@code input[offset, offset + length)} to {@code out}. */
    void compress(byte[] input, int offset, int length, ReusableBytes out) {
        out.write(HEADER);
        deflater.reset();
        deflater.setInput(input, offset, length);
        deflater.finish();
        while (!deflater.finished()) {
            out.ensure(Math.max(8192, length / 4));
            int room = out.array().length - out.size();
            out.advance(deflater.deflate(out.array(), out.size(), room));
        }
        crc.reset();
        crc.update(input, offset, length);
        littleEndian((int) crc.getValue(), out);
        littleEndian(length, out); // ISIZE: the input's length modulo 2^32
    }

    private static void littleEndian(int value, ReusableBytes out) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }

    /** Frees zlib's native memory now rather than when the collector gets to it. */
    @Override
    public void close() {
        deflater.end();
    }
}
