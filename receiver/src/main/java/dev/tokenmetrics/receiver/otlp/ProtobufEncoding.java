package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/** {@code application/x-protobuf}: the binary protobuf encoding. */
public final class ProtobufEncoding implements Encoding {

    @Override
    public String contentType() {
        return "application/x-protobuf";
    }

    @Override
    @SuppressWarnings("unchecked")
    public <M extends Message> M decode(byte[] body, M prototype) throws MalformedRequestException {
        try {
            return (M) prototype.getParserForType().parseFrom(body);
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
