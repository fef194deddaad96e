package dev.tokenmetrics.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.Otlp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RequestBodyTest {

    static byte[] gzip(byte[] plain) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        }
        return out.toByteArray();
    }

    @Test
    void inflatesClaudeCodesGzipBody() throws Exception {
        assertArrayEquals(Otlp.resource("cc-2.1.330-metrics-cumulative.pb"),
                RequestBody.decode(Otlp.resource("cc-2.1.330-metrics-cumulative.pb.gz"), "gzip", 1 << 20));
    }

    @Test
    void inflatesConcatenatedGzipMembersWhoseLastTrailerUnderstatesTheTotal() throws Exception {
        byte[] first = new byte[100_000];
        new java.util.Random(7).nextBytes(first);
        byte[] second = "tail".getBytes();
        byte[] a = gzip(first);
        byte[] b = gzip(second);
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);

        byte[] expected = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, expected, first.length, second.length);
        assertArrayEquals(expected, RequestBody.decode(both, "gzip", 1 << 20));
        assertThrows(BodyTooLargeException.class, () -> RequestBody.decode(both, "gzip", 100_003));
        assertArrayEquals(expected, RequestBody.decode(both, "gzip", 100_004), "exactly at the limit is fine");
    }

    @Test
    void passesPlainBodiesThrough() throws Exception {
        byte[] body = {1, 2, 3};
        assertArrayEquals(body, RequestBody.decode(body, null, 10));
        assertArrayEquals(body, RequestBody.decode(body, "identity", 10));
    }

    @Test
    void knowsWhichContentEncodingsItSpeaks() {
        assertTrue(RequestBody.isSupportedEncoding(null));
        assertTrue(RequestBody.isSupportedEncoding("GZIP"));
        assertFalse(RequestBody.isSupportedEncoding("br"));
        assertFalse(RequestBody.isSupportedEncoding("zstd"));
    }

    @Test
    void stopsAGzipBombAtTheLimit() throws Exception {
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]); // 64 MiB of zeros, about 64 KiB on the wire
        assertTrue(bomb.length < 100_000);
        assertThrows(BodyTooLargeException.class, () -> RequestBody.decode(bomb, "gzip", 32 * 1024 * 1024));
    }

    @Test
    void refusesCorruptOrTruncatedGzip() throws Exception {
        byte[] good = gzip("hello".repeat(100).getBytes());
        assertThrows(MalformedRequestException.class, () -> RequestBody.decode(Arrays.copyOf(good, good.length - 9), "gzip", 1 << 20));
        assertThrows(MalformedRequestException.class, () -> RequestBody.decode("not gzip".getBytes(), "gzip", 1 << 20));
        byte[] flipped = good.clone();
        flipped[flipped.length - 6] ^= 0x55; // CRC
        assertThrows(MalformedRequestException.class, () -> RequestBody.decode(flipped, "gzip", 1 << 20));
    }
}
