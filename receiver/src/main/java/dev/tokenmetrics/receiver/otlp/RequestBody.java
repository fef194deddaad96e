package dev.tokenmetrics.receiver.otlp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

    /** Stops as soon as the output passes the limit, so a gzip bomb costs at most the limit in memory and time. */
    static byte[] gunzip(byte[] wire, int maxDecodedBytes) throws MalformedRequestException, BodyTooLargeException {
        var out = new ByteArrayOutputStream(Math.min(maxDecodedBytes, Math.max(1024, wire.length * 4)));
        byte[] chunk = new byte[16 * 1024];
        try (var in = new GZIPInputStream(new ByteArrayInputStream(wire), chunk.length)) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (out.size() + n > maxDecodedBytes) {
                    throw new BodyTooLargeException("decompressed body exceeds " + maxDecodedBytes + " bytes");
                }
                out.write(chunk, 0, n);
            }
        } catch (IOException e) { // ZipException, EOFException: not gzip, corrupt or truncated
            throw new MalformedRequestException("invalid gzip body: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
