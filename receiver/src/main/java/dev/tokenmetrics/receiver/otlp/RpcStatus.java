package dev.tokenmetrics.receiver.otlp;

/**
 * The gRPC status codes an error's {@code google.rpc.Status} body carries (see {@link Encoding#status}); OTLP/HTTP
 * servers send that message with every error. Only its code and message fields are used.
 */
public final class RpcStatus {

    public static final int INVALID_ARGUMENT = 3;
    public static final int NOT_FOUND = 5;
    public static final int PERMISSION_DENIED = 7;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;

    private RpcStatus() {
    }
}
