package dev.tokenmetrics.receiver.forward;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * The least an OTLP/HTTP upstream can do, for the forwarding benchmark (bench/receiver-bench.sh,
 * bench/forward-ab.sh): a stand-in for a team's collector on another machine, so that the forwarding daemon's own
 * cost shows apart from a co-located upstream's. It reads each request body fully (gunzipped when so encoded),
 * checks that it decodes as the signal's export request, counts its resources (one per export the receiver
 * forwarded, for Claude Code's exports), and answers 200 with an empty export response. {@code GET /counts} says
 * {@code requests exports bad bytes}: a request that does not decode is answered 400 and counted as bad.
 * Usage: BenchOtlpSink PORT
 */
public final class BenchOtlpSink {

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong exports = new AtomicLong();
    private final AtomicLong bad = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    private BenchOtlpSink() {
    }

    public static void main(String[] args) throws IOException {
        var sink = new BenchOtlpSink();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
        server.createContext("/v1/", sink::export);
        server.createContext("/counts", sink::counts);
        server.start(); // one dispatcher thread: the forwarder posts one request at a time
    }

    private void export(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] raw = in.readAllBytes();
                bytes.addAndGet(raw.length);
                body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                        ? new GZIPInputStream(new java.io.ByteArrayInputStream(raw)).readAllBytes() : raw;
            }
            requests.incrementAndGet();
            int resources;
            try {
                resources = switch (exchange.getRequestURI().getPath()) {
                    case "/v1/metrics" -> ExportMetricsServiceRequest.parseFrom(body).getResourceMetricsCount();
                    case "/v1/logs" -> ExportLogsServiceRequest.parseFrom(body).getResourceLogsCount();
                    case "/v1/traces" -> ExportTraceServiceRequest.parseFrom(body).getResourceSpansCount();
                    default -> -1;
                };
            } catch (InvalidProtocolBufferException e) {
                resources = -1;
            }
            if (resources < 0) {
                bad.incrementAndGet();
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exports.addAndGet(resources);
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty Export*ServiceResponse is zero bytes
        }
    }

    private void counts(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] text = (requests.get() + " " + exports.get() + " " + bad.get() + " " + bytes.get() + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, text.length);
            exchange.getResponseBody().write(text);
        }
    }
}
