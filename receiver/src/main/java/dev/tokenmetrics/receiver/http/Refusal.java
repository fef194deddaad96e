package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.receiver.otlp.Encoding;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A request refused on its request line and headers, passed down the pipeline in the request's place so that
 * {@link Refusals} answers it and drops its body, whichever handler refused it.
 *
 * @param encoding        the encoding to answer in, or null for JSON
 * @param keepAlive       the connection stays open for the client's next request
 * @param contentFollows  the request's content (its body, or at least the codec's empty end of it) is still to come
 */
record Refusal(HttpResponseStatus status, Encoding encoding, String message, boolean keepAlive,
               boolean contentFollows) {

    /**
     * A refusal that keeps the connection when the client asked to keep it and the request has no body. A body still
     * arriving would have to be read to its end before the next request: the answer goes out at once and announces
     * the connection's close instead.
     */
    static Refusal of(HttpRequest request, HttpResponseStatus status, Encoding encoding, String message) {
        boolean contentFollows = !(request instanceof LastHttpContent);
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !(contentFollows && hasBody(request));
        return new Refusal(status, encoding, message, keepAlive, contentFollows);
    }

    /** A refusal that closes the connection, whatever the client asked. */
    static Refusal closing(HttpRequest request, HttpResponseStatus status, String message) {
        return new Refusal(status, null, message, false, !(request instanceof LastHttpContent));
    }

    /** What HTTP/1.1 frames a request body with: a request with neither has none (RFC 9112, 6.3). */
    private static boolean hasBody(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    }
}
