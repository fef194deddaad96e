package dev.tokenmetrics.receiver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.tokenmetrics.receiver.otlp.JsonEncoding;
import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.ProtobufEncoding;
import dev.tokenmetrics.receiver.otlp.Signal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes any OTLP message as OTLP JSON, as a JSON client would send it: lowerCamelCase keys, int64 as strings,
 * enums as integers, trace and span ids as hex. Tests use it to turn built requests into JSON bodies, and
 * {@link #decode} to read recorded JSON requests through the receiver's own transcoding.
 */
public final class OtlpJson {

    private static final Set<String> HEX_ID_FIELDS = Set.of("trace_id", "span_id", "parent_span_id");
    private static final JsonFactory FACTORY = new JsonFactory();

    private OtlpJson() {
    }

    /** An OTLP JSON request read as the receiver reads it: transcoded, then parsed by the generated classes. */
    public static <M extends Message> M decode(byte[] json, M requestPrototype) throws MalformedRequestException {
        for (Signal signal : Signal.values()) {
            if (signal.requestPrototype().getClass() == requestPrototype.getClass()) {
                return ProtobufEncoding.parse(new JsonEncoding().toWire(json, signal), requestPrototype);
            }
        }
        throw new IllegalArgumentException("not an OTLP request: " + requestPrototype.getClass());
    }

    public static byte[] encode(Message message) {
        var out = new ByteArrayOutputStream(128);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            writeMessage(generator, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toByteArray();
    }

    private static void writeMessage(JsonGenerator generator, Message message) throws IOException {
        generator.writeStartObject();
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            generator.writeFieldName(field.getJsonName());
            if (field.isRepeated()) {
                generator.writeStartArray();
                for (Object element : (List<?>) entry.getValue()) {
                    writeValue(generator, field, element);
                }
                generator.writeEndArray();
            } else {
                writeValue(generator, field, entry.getValue());
            }
        }
        generator.writeEndObject();
    }

    private static void writeValue(JsonGenerator generator, FieldDescriptor field, Object value) throws IOException {
        switch (field.getJavaType()) {
            case MESSAGE -> writeMessage(generator, (Message) value);
            case LONG -> generator.writeString(field.getType() == FieldDescriptor.Type.UINT64
                    || field.getType() == FieldDescriptor.Type.FIXED64
                    ? Long.toUnsignedString((Long) value) : value.toString());
            case INT -> generator.writeNumber(field.getType() == FieldDescriptor.Type.UINT32
                    || field.getType() == FieldDescriptor.Type.FIXED32
                    ? Integer.toUnsignedLong((Integer) value) : (Integer) value);
            case DOUBLE -> generator.writeNumber((Double) value);
            case FLOAT -> generator.writeNumber((Float) value);
            case BOOLEAN -> generator.writeBoolean((Boolean) value);
            case STRING -> generator.writeString((String) value);
            case ENUM -> generator.writeNumber(((EnumValueDescriptor) value).getNumber());
            case BYTE_STRING -> {
                byte[] bytes = ((ByteString) value).toByteArray();
                generator.writeString(HEX_ID_FIELDS.contains(field.getName())
                        ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes));
            }
        }
    }
}
