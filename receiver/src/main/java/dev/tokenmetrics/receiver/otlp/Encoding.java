package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.Message;

/**
 * One of OTLP/HTTP's two body encodings, chosen once per request from its Content-Type and then used both to
 * unmarshal the request and to marshal the response (OTLP answers in the encoding it was asked in).
 */
public interface Encoding {

    String contentType();

    /** Decodes a request body into a message of the prototype's type. */
    <M extends Message> M decode(byte[] body, M prototype) throws MalformedRequestException;

    byte[] encode(Message message);

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
