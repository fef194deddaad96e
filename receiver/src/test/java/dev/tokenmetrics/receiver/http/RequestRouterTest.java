package dev.tokenmetrics.receiver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tokenmetrics.receiver.otlp.Encoding;
import dev.tokenmetrics.receiver.otlp.JsonEncoding;
import dev.tokenmetrics.receiver.otlp.ProtobufEncoding;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every request's route, or its refusal, from the request line and headers alone. */
class RequestRouterTest {

    private static final Encoding PROTOBUF = new ProtobufEncoding();
    private static final Encoding JSON = new JsonEncoding();
    private static final int MAX_WIRE_BYTES = 1000;

    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestRouter(PROTOBUF, JSON, MAX_WIRE_BYTES));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    /**
     * Outcomes: a page's name; a signal with its encoding's content type; or a refusal's status and, where the
     * request's encoding is known, the content type it is answered in.
     */
    @ParameterizedTest(name = "{0} {1} [{2}] [{3}] {4} -> {5}")
    @CsvSource(nullValues = "-", value = {
            // the health page: GET and HEAD, with or without a query
            "GET,    /health,                       -,                               -,        -,    HEALTH",
            "HEAD,   /health,                       -,                               -,        -,    HEALTH",
            "GET,    /health?exclude-launch=L1,     -,                               -,        -,    HEALTH",
            "POST,   /health,                       application/json,                -,        2,    405",
            "DELETE, /health,                       -,                               -,        -,    405",
            // Prometheus' scrape
            "GET,    /metrics,                      -,                               -,        -,    METRICS",
            "HEAD,   /metrics,                      -,                               -,        -,    METRICS",
            "POST,   /metrics,                      text/plain,                      -,        2,    405",
            "GET,    /METRICS,                      -,                               -,        -,    404",
            // the dashboard: its page, files and API, GET and HEAD only
            "GET,    /,                             -,                               -,        -,    DASHBOARD",
            "GET,    /dashboard/dashboard.js,       -,                               -,        -,    DASHBOARD_SCRIPT",
            "GET,    /api/v1/summary,               -,                               -,        -,    API_SUMMARY",
            "POST,   /,                             application/x-protobuf,          -,        10,   405",
            "GET,    /dashboard/other.js,           -,                               -,        -,    404",
            // exports: every signal in both encodings, compressed or not
            "POST,   /v1/metrics,                   application/x-protobuf,          -,        10,   METRICS application/x-protobuf",
            "POST,   /v1/metrics,                   application/json,                -,        10,   METRICS application/json",
            "POST,   /v1/logs,                      application/x-protobuf,          gzip,     10,   LOGS application/x-protobuf",
            "POST,   /v1/logs,                      application/json,                identity, 10,   LOGS application/json",
            "POST,   /v1/traces,                    application/x-protobuf,          -,        -,    TRACES application/x-protobuf",
            "POST,   /v1/traces,                    application/json; charset=utf-8, gzip,     1000, TRACES application/json",
            "POST,   /v1/metrics?tenant=a,          APPLICATION/X-PROTOBUF,          -,        10,   METRICS application/x-protobuf",
            // an export path with another method
            "GET,    /v1/metrics,                   -,                               -,        -,    405",
            "PUT,    /v1/logs,                      application/json,                -,        10,   405",
            // an export in neither encoding, or compressed otherwise, or too long
            "POST,   /v1/metrics,                   -,                               -,        10,   415",
            "POST,   /v1/metrics,                   text/plain,                      -,        10,   415",
            "POST,   /v1/metrics,                   application/protobuf,            -,        10,   415",
            "POST,   /v1/logs,                      application/json,                br,       10,   415 application/json",
            "POST,   /v1/traces,                    application/x-protobuf,          deflate,  10,   415 application/x-protobuf",
            "POST,   /v1/metrics,                   application/x-protobuf,          -,        1001, 413 application/x-protobuf",
            "POST,   /v1/metrics,                   application/json,                gzip,     1001, 413 application/json",
            // paths that are no route
            "POST,   /v1/profiles,                  application/x-protobuf,          -,        10,   404",
            "POST,   /v1/metrics/,                  application/x-protobuf,          -,        10,   404",
            "GET,    /HEALTH,                       -,                               -,        -,    404",
    })
    void routesOrRefuses(String method, String uri, String contentType, String contentEncoding, String contentLength,
                         String expected) {
        HttpRequest request = request(method, uri, contentType, contentEncoding, contentLength);

        channel.writeInbound(request);

        Object passed = channel.readInbound();
        assertEquals(expected, describe(passed, request));
        assertNull(channel.readInbound(), "one message in, one out");
    }

    @Test
    void everyRouteIsASharedConstant() {
        channel.writeInbound(request("POST", "/v1/logs", "application/json", null, "10"));
        Route first = Route.of(channel);
        channel.writeInbound(request("POST", "/v1/logs?again", "application/json; charset=utf-8", "gzip", "20"));
        Route second = Route.of(channel);
        var other = new EmbeddedChannel(new RequestRouter(PROTOBUF, JSON, MAX_WIRE_BYTES));
        other.writeInbound(request("GET", "/health", null, null, null));

        assertSame(first, second);
        assertEquals(new Route.Export(Signal.LOGS, JSON), first);
        assertSame(Route.Page.HEALTH, Route.of(other));
        other.finishAndReleaseAll();
    }

    @Test
    void aRefusedRequestLeavesTheRouteAlone() {
        channel.writeInbound(request("GET", "/health", null, null, null));
        channel.writeInbound(request("GET", "/nowhere", null, null, null));

        assertSame(Route.Page.HEALTH, Route.of(channel), "only requests that have a route set one");
    }

    @Test
    void contentAndRefusalsFromBeforePassUntouched() {
        HttpContent content = new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        var refusal = new Refusal(HttpResponseStatus.FORBIDDEN, null, "no", false, true);

        channel.writeInbound(content, refusal);

        assertSame(content, channel.readInbound());
        assertSame(refusal, channel.readInbound());
        content.release();
    }

    private String describe(Object passed, HttpRequest request) {
        if (passed instanceof Refusal refusal) {
            return refusal.status().code() + (refusal.encoding() == null ? "" : " " + refusal.encoding().contentType());
        }
        assertSame(request, passed, "a routed request goes on as it came");
        Route route = Route.of(channel);
        return route instanceof Route.Export export ? export.signal() + " " + export.encoding().contentType()
                : ((Route.Page) route).name();
    }

    static HttpRequest request(String method, String uri, String contentType, String contentEncoding,
                               String contentLength) {
        var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
        if (contentType != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (contentEncoding != null) {
            request.headers().set(HttpHeaderNames.CONTENT_ENCODING, contentEncoding);
        }
        if (contentLength != null) {
            request.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        return request;
    }
}
