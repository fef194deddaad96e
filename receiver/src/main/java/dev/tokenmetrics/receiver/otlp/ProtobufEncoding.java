package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.nio.charset.StandardCharsets;

/** {@code application/x-protobuf}: the binary protobuf encoding. */
public final class ProtobufEncoding implements Encoding {

    @Override
    public String name() {
        return "protobuf";
    }

    @Override
    public String contentType() {
        return "application/x-protobuf";
    }

    /** The body is wire format already; each signal's reader checks what it reads. */
    @Override
    public byte[] toWire(byte[] body, Signal signal) {
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
    public byte[] exportResponse(Signal signal, long rejected, String errorMessage) {
        var wire = new WireWriter(16 + errorMessage.length() * 3);
        if (rejected != 0 || !errorMessage.isEmpty()) {
            wire.tag(1, WireType.LENGTH_DELIMITED); // partial_success, the same in every signal's response
            int mark = wire.mark();
            numberAndText(wire, rejected, errorMessage);
            wire.prefixLength(mark);
        }
        return wire.toByteArray();
    }

    @Override
    public byte[] status(int code, String message) {
        var wire = new WireWriter(16 + message.length() * 3);
        numberAndText(wire, code, message);
        return wire.toByteArray();
    }

    /** Both partial_success and google.rpc.Status are a number (field 1) and a text (field 2), unset when zero. */
    private static void numberAndText(WireWriter wire, long number, String text) {
        if (number != 0) {
            wire.tag(1, WireType.VARINT);
            wire.varint(number);
        }
        if (!text.isEmpty()) {
            wire.tag(2, WireType.LENGTH_DELIMITED);
            wire.bytes(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
