package dev.tokenmetrics.receiver.otlp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/** Turns a request body as received into the bytes to decode, enforcing the decompressed-size limit as it goes. */
public final class RequestBody {

    private RequestBody() {
    }

    /** True for the Content-Encoding values OTLP/HTTP clients use: none, identity or gzip. */
    public static boolean isSupportedEncoding(String contentEncoding) {
        return contentEncoding == null || contentEncoding.isBlank()
                || contentEncoding.trim().equalsIgnoreCase("identity")
                || contentEncoding.trim().equalsIgnoreCase("gzip");
    }

    public static byte[] decode(byte[] wire, String contentEncoding, int maxDecodedBytes)
            throws MalformedRequestException, BodyTooLargeException {
        if (contentEncoding != null && contentEncoding.trim().equalsIgnoreCase("gzip")) {
            return gunzip(wire, maxDecodedBytes);
        }
        return wire;
    }

    /**
     * Stops as soon as the output passes the limit, so a gzip bomb costs at most the limit in memory and time. The
     * output is sized from the gzip trailer's length field (a hint: it may lie) to avoid regrowing and copying.
     */
    static byte[] gunzip(byte[] wire, int maxDecodedBytes) throws MalformedRequestException, BodyTooLargeException {
        byte[] out = new byte[sizeHint(wire, maxDecodedBytes)];
        int size = 0;
        try (var in = new GZIPInputStream(new ByteArrayInputStream(wire), Math.max(512, Math.min(wire.length, 8192)))) {
            while (true) {
                if (size == out.length) { // the hint was reached: is there more?
                    int next = in.read();
                    if (next < 0) {
                        break;
                    }
                    if (out.length >= maxDecodedBytes) {
                        throw new BodyTooLargeException("decompressed body exceeds " + maxDecodedBytes + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(maxDecodedBytes, 2L * out.length + 1));
                    out[size++] = (byte) next;
                    continue;
                }
                int read = in.read(out, size, out.length - size);
                if (read < 0) {
                    break;
                }
                size += read;
            }
        } catch (IOException e) { // ZipException, EOFException: not gzip, corrupt or truncated
            throw new MalformedRequestException("invalid gzip body: " + e.getMessage());
        }
        return size == out.length ? out : Arrays.copyOf(out, size);
    }

    /** The trailer's ISIZE (uncompressed length mod 2^32), within [64, limit]. */
    private static int sizeHint(byte[] wire, int maxDecodedBytes) {
        if (wire.length < 18) {
            return 64;
        }
        int end = wire.length;
        long isize = (wire[end - 4] & 0xFFL) | (wire[end - 3] & 0xFFL) << 8 | (wire[end - 2] & 0xFFL) << 16
                | (wire[end - 1] & 0xFFL) << 24;
        return (int) Math.max(64, Math.min(isize, maxDecodedBytes));
    }
}
