package dev.tokenmetrics.receiver.otlp;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;

/**
 * {@code google.rpc.Status}, the body OTLP/HTTP servers send with an error. Only its code and message fields are
 * used, so the type is described here rather than pulling in a library for one message.
 */
public final class RpcStatus {

    /** gRPC status codes used in error responses. */
    public static final int INVALID_ARGUMENT = 3;
    public static final int PERMISSION_DENIED = 7;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int UNAVAILABLE = 14;
    public static final int UNIMPLEMENTED = 12;
    public static final int NOT_FOUND = 5;
    public static final int INTERNAL = 13;

    private final Descriptor descriptor;

    public RpcStatus() {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("google/rpc/status.proto")
                .setPackage("google.rpc")
                .setSyntax("proto3")
                .addMessageType(DescriptorProto.newBuilder()
                        .setName("Status")
                        .addField(field("code", 1, FieldDescriptorProto.Type.TYPE_INT32))
                        .addField(field("message", 2, FieldDescriptorProto.Type.TYPE_STRING)))
                .build();
        try {
            descriptor = FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("Status");
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException(e); // the description above is constant
        }
    }

    private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).setJsonName(name).build();
    }

    public Message of(int code, String message) {
        return DynamicMessage.newBuilder(descriptor)
                .setField(descriptor.findFieldByNumber(1), code)
                .setField(descriptor.findFieldByNumber(2), message)
                .build();
    }
}
