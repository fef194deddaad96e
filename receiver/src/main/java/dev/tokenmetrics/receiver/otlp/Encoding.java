package dev.tokenmetrics.receiver.otlp;

/**
 * One of OTLP/HTTP's two body encodings, chosen once per request from its Content-Type and then used both to
 * unmarshal the request and to marshal the response (OTLP answers in the encoding it was asked in).
 * Requests unmarshal to protobuf wire format, which every signal's reader takes (see {@link WireReader}).
 */
public interface Encoding {

    String contentType();

    /** A short name for logs and metrics labels: {@code protobuf} or {@code json}. */
    String name();

    /** A signal's request body as protobuf wire format. */
    byte[] toWire(byte[] body, Signal signal) throws MalformedRequestException;

    /** The Export*ServiceResponse; partial_success stays unset when everything was accepted, as OTLP requires. */
    byte[] exportResponse(Signal signal, long rejected, String errorMessage);

    /** A {@code google.rpc.Status}: the body of every error (codes in {@link RpcStatus}). */
    byte[] status(int code, String message);

    /** The encoding for a Content-Type header value, or null when OTLP/HTTP does not define it. */
    static Encoding forContentType(String contentType, Encoding protobuf, Encoding json) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        if (mediaType.equalsIgnoreCase(protobuf.contentType())) {
            return protobuf;
        }
        if (mediaType.equalsIgnoreCase(json.contentType())) {
            return json;
        }
        return null;
    }
}
