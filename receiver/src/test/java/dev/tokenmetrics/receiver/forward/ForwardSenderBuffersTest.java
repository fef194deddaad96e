package dev.tokenmetrics.receiver.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tokenmetrics.receiver.Otlp;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender builds every request in arrays it keeps (the batch as the queue read it, the stamped request, the
 * compressed one): whatever came before, each request reads back as exactly its exports, stamped.
 */
class ForwardSenderBuffersTest {

    private static final Map<String, String> ATTRIBUTES = new LinkedHashMap<>(Map.of("host.name", "box",
            "user.name", "ada"));

    @TempDir
    Path dir;

    /** An export whose one resource says it is Claude Code {@code version}, with data of {@code copy}'s own. */
    private static byte[] export(String version, int copy) {
        var request = Otlp.request(List.of(Otlp.kv("service.name", "claude-code"), Otlp.kv("service.version", version)))
                .toBuilder();
        request.setResourceMetrics(0, request.getResourceMetrics(0).toBuilder().setSchemaUrl("https://schema/" + copy));
        return request.build().toByteArray();
    }

    @Test
    void aStampedResourceRememberedIsTheSameAsOneMadeAfresh() throws Exception {
        var remembering = new ResourceStamp(ATTRIBUTES);
        var out = new ReusableBytes(64, 1 << 20);
        // More distinct resources than are remembered, in turn and again: hits, misses and evictions.
        for (int round = 0; round < 3; round++) {
            for (int v = 0; v < ResourceStamp.CACHED_RESOURCES + 3; v++) {
                byte[] export = export("2.1." + v, round * 100 + v);
                out.reset();
                remembering.apply(export, 0, export.length, out);
                assertArrayEquals(new ResourceStamp(ATTRIBUTES).apply(export), out.toByteArray(),
                        "round " + round + ", resource " + v);
            }
        }
    }

    @Test
    void exportsStampedOneAfterAnotherInOneArrayAreOneRequestOfAllTheirResources() throws Exception {
        var stamp = new ResourceStamp(ATTRIBUTES);
        var request = new ReusableBytes(64, 1 << 20);
        byte[] padded = new byte[4096];
        byte[] first = export("2.1.1", 1);
        byte[] second = export("2.1.2", 2);
        System.arraycopy(first, 0, padded, 7, first.length); // as in the queue's read buffer: among other bytes
        System.arraycopy(second, 0, padded, 7 + first.length + 13, second.length);
        stamp.apply(padded, 7, 7 + first.length, request);
        stamp.apply(padded, 7 + first.length + 13, 7 + first.length + 13 + second.length, request);

        var sent = ExportMetricsServiceRequest.parseFrom(
                Arrays.copyOf(request.array(), request.size()));
        assertEquals(2, sent.getResourceMetricsCount());
        for (int i = 0; i < 2; i++) {
            ResourceMetrics resource = sent.getResourceMetrics(i);
            assertEquals("https://schema/" + (i + 1), resource.getSchemaUrl());
            assertEquals(1, resource.getResource().getAttributesList().stream()
                    .filter(kv -> kv.getKey().equals("user.name")).count());
        }
        int before = request.size();
        assertThrows(MalformedRequestException.class, () -> stamp.apply(new byte[] {10, 50, 1}, 0, 3, request));
        request.truncate(before); // what the sender does: the malformed export left out, the rest intact
        assertEquals(2, ExportMetricsServiceRequest.parseFrom(
                Arrays.copyOf(request.array(), request.size())).getResourceMetricsCount());
    }

    @Test
    void oneCompressorCompressesRequestAfterRequest() throws Exception {
        var random = new Random(7);
        var out = new ReusableBytes(16, 1 << 20);
        try (var gzip = new Gzip()) {
            for (int size : new int[] {0, 1, 2752, 300_000, 5, 1 << 20}) {
                byte[] body = new byte[size];
                for (int i = 0; i < size; i++) {
                    body[i] = (byte) (i % 97 < 60 ? 'a' + i % 7 : random.nextInt()); // some repetition, some noise
                }
                out.reset();
                out.write(new byte[] {1, 2, 3}); // compressed after what the array already holds
                gzip.compress(body, 0, size, out);
                byte[] member = Arrays.copyOfRange(out.array(), 3, out.size());
                assertArrayEquals(body, new GZIPInputStream(new ByteArrayInputStream(member)).readAllBytes(),
                        size + " bytes");
            }
        }
    }

    @Test
    void aBatchsBodiesAreReadOverByTheNextBatch() throws Exception {
        try (var queue = ForwardQueue.open(dir, 1L << 20)) {
            queue.append(Signal.METRICS, "first".getBytes(StandardCharsets.UTF_8));
            ForwardQueue.Batch first = queue.next(10, 1 << 20, 0);
            assertEquals(List.of("first"), texts(first));
            queue.acknowledge(first);
            queue.append(Signal.METRICS, "second".getBytes(StandardCharsets.UTF_8));
            ForwardQueue.Batch second = queue.next(10, 1 << 20, 0);
            assertThrows(IllegalStateException.class, first::bodies, "not a body of the next batch's instead");
            assertEquals(List.of("second"), texts(second));
        }
    }

    @Test
    void batchesKeepToTheByteBoundAndAnOutsizedExportStillGoesAlone() throws Exception {
        try (var queue = ForwardQueue.open(dir, 64L << 20)) {
            byte[] big = new byte[3 << 20]; // past the read buffer kept between batches
            big[0] = 'B';
            for (int i = 0; i < 5; i++) {
                queue.append(Signal.METRICS, ("small-" + i + "-" + "x".repeat(300)).getBytes(StandardCharsets.UTF_8));
            }
            queue.append(Signal.METRICS, big);
            queue.append(Signal.METRICS, "after".getBytes(StandardCharsets.UTF_8));
            var sizes = new ArrayList<Integer>();
            ForwardQueue.Batch batch;
            while ((batch = queue.next(100, 1000, 0)) != null) {
                sizes.add(batch.size());
                if (batch.length(0) == big.length) {
                    assertArrayEquals(big, batch.bodies().get(0));
                }
                queue.acknowledge(batch);
            }
            assertEquals(List.of(3, 2, 1, 1), sizes, "three of 309 bytes fit in 1,000; the big one alone");
        }
    }

    private static List<String> texts(ForwardQueue.Batch batch) {
        return batch.bodies().stream().map(body -> new String(body, StandardCharsets.UTF_8)).toList();
    }
}
