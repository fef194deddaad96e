package dev.tokenmetrics.receiver.usage;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;

/**
 * Identities that must survive restarts (they are persisted), which rules out protobuf's hashCode.
 * A {@link StreamId} is two independent 64-bit hashes over resource, scope, metric name and point attributes.
 * Attribute sets hash as the sum of their members' hashes, so the order a client lists them in does not matter.
 * Not cryptographic: streams come from the user's own Claude Code, and 128 bits make accidents negligible.
 */
final class Hashes {

    private static final long SEED_HIGH = 0x9E3779B97F4A7C15L;
    private static final long SEED_LOW = 0xC2B2AE3D27D4EB4FL;

    private Hashes() {
    }

    static StreamId stream(List<KeyValue> resource, String scopeName, String scopeVersion, String metricName,
                       List<KeyValue> pointAttributes) {
        long high = SEED_HIGH;
        long low = SEED_LOW;
        high = mix(high + attributes(resource, SEED_HIGH));
        low = mix(low + attributes(resource, SEED_LOW));
        high = mix(high + string(scopeName, SEED_HIGH) * 31 + string(scopeVersion, SEED_HIGH));
        low = mix(low + string(scopeName, SEED_LOW) * 31 + string(scopeVersion, SEED_LOW));
        high = mix(high + string(metricName, SEED_HIGH));
        low = mix(low + string(metricName, SEED_LOW));
        high = mix(high + attributes(pointAttributes, SEED_HIGH));
        low = mix(low + attributes(pointAttributes, SEED_LOW));
        return new StreamId(high, low);
    }

    /** One log event: the same event re-sent by a retried export hashes the same. */
    static long event(String sessionId, String sequence, long timeNanos, long observedNanos) {
        long hash = mix(SEED_HIGH + string(sessionId, SEED_HIGH));
        hash = mix(hash + string(sequence, SEED_LOW));
        hash = mix(hash + timeNanos);
        return mix(hash + observedNanos);
    }

    private static long attributes(List<KeyValue> attributes, long seed) {
        long sum = attributes.size();
        for (int i = 0; i < attributes.size(); i++) {
            KeyValue kv = attributes.get(i);
            sum += mix(string(kv.getKey(), seed) * 0x100000001B3L + value(kv.getValue(), seed));
        }
        return sum;
    }

    private static long value(AnyValue value, long seed) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> string(value.getStringValue(), seed);
            case BOOL_VALUE -> mix(seed ^ (value.getBoolValue() ? 1 : 2));
            case INT_VALUE -> mix(seed ^ 3 ^ value.getIntValue());
            case DOUBLE_VALUE -> mix(seed ^ 4 ^ Double.doubleToLongBits(value.getDoubleValue()));
            default -> bytes(value.toByteArray(), seed ^ value.getValueCase().getNumber()); // rare: arrays, maps, bytes
        };
    }

    private static long string(String text, long seed) {
        long hash = seed ^ text.length();
        for (int i = 0; i < text.length(); i++) {
            hash = (hash ^ text.charAt(i)) * 0x100000001B3L;
        }
        return mix(hash);
    }

    private static long bytes(byte[] bytes, long seed) {
        long hash = seed ^ bytes.length;
        for (byte b : bytes) {
            hash = (hash ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return mix(hash);
    }

    /** The finaliser of SplitMix64: spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
