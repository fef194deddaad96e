package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/** {@code application/x-protobuf}: the binary protobuf encoding. */
public final class ProtobufEncoding implements Encoding {

    @Override
    public String contentType() {
        return "application/x-protobuf";
    }

    /** The body is wire format already; each signal's reader checks what it reads. */
    @Override
    public byte[] toWire(byte[] body, Descriptor type) {
        return body;
    }

    /** Builds the message with protobuf's generated parser, which checks all of it. */
    @SuppressWarnings("unchecked")
    public static <M extends Message> M parse(byte[] wire, M prototype) throws MalformedRequestException {
        try {
            return (M) prototype.getParserForType().parseFrom(wire);
        } catch (InvalidProtocolBufferException e) {
            String reason = String.valueOf(e.getMessage());
            int sentence = reason.indexOf(". ");
            throw new MalformedRequestException("invalid protobuf body: "
                    + (sentence < 0 ? reason : reason.substring(0, sentence)));
        }
    }

    @Override
    public byte[] encode(Message message) {
        return message.toByteArray();
    }
}
