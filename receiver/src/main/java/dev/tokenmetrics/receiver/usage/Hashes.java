package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.WireReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Identities that must survive restarts (they are persisted), which rules out protobuf's hashCode.
 * A {@link StreamId} is two independent 64-bit hashes over resource, scope, metric name and point attributes,
 * built as a chain so that an export hashes its resource, scopes and metrics once, not once per point.
 * Text hashes as its UTF-8 bytes. Attribute sets hash as the sum of their members' hashes, so the order a client
 * lists them in does not matter. Not cryptographic: streams come from the user's own Claude Code, and 128 bits
 * make accidents negligible.
 */
final class Hashes {

    private static final long SEED_HIGH = 0x9E3779B97F4A7C15L;
    private static final long SEED_LOW = 0xC2B2AE3D27D4EB4FL;

    private Hashes() {
    }

    static StreamId resource(List<Attribute> attributes) {
        return new StreamId(mix(SEED_HIGH + attributes(attributes, SEED_HIGH)),
                mix(SEED_LOW + attributes(attributes, SEED_LOW)));
    }

    static StreamId scope(StreamId resource, WireReader name, WireReader version) {
        return new StreamId(mix(resource.high() + bytes(name, SEED_HIGH) * 31 + bytes(version, SEED_HIGH)),
                mix(resource.low() + bytes(name, SEED_LOW) * 31 + bytes(version, SEED_LOW)));
    }

    static StreamId metric(StreamId scope, WireReader name) {
        return new StreamId(mix(scope.high() + bytes(name, SEED_HIGH)), mix(scope.low() + bytes(name, SEED_LOW)));
    }

    static StreamId point(StreamId metric, List<Attribute> attributes) {
        return new StreamId(mix(metric.high() + attributes(attributes, SEED_HIGH)),
                mix(metric.low() + attributes(attributes, SEED_LOW)));
    }

    /** One log event: the same event re-sent by a retried export hashes the same. */
    static long event(String sessionId, String sequence, long timeNanos, long observedNanos) {
        long hash = mix(SEED_HIGH + text(sessionId, SEED_HIGH));
        hash = mix(hash + text(sequence, SEED_LOW));
        hash = mix(hash + timeNanos);
        return mix(hash + observedNanos);
    }

    private static long attributes(List<Attribute> attributes, long seed) {
        long sum = attributes.size();
        for (int i = 0; i < attributes.size(); i++) {
            Attribute attribute = attributes.get(i);
            sum += mix(bytes(attribute.wire(), attribute.keyFrom(), attribute.keyTo(), seed) * 0x100000001B3L
                    + value(attribute, seed));
        }
        return sum;
    }

    private static long value(Attribute attribute, long seed) {
        // The numbers mixed in are written out, not taken from OtlpSchema: persisted stream ids depend on them.
        int valueCase = attribute.valueCase();
        if (valueCase == Attribute.STRING) {
            return bytes(attribute.wire(), attribute.from(), attribute.to(), seed);
        } else if (valueCase == Attribute.BOOL) {
            return mix(seed ^ (attribute.number() != 0 ? 1 : 2));
        } else if (valueCase == Attribute.INT) {
            return mix(seed ^ 3 ^ attribute.number());
        } else if (valueCase == Attribute.DOUBLE) {
            return mix(seed ^ 4 ^ attribute.number());
        }
        return bytes(attribute.wire(), attribute.from(), attribute.to(), seed ^ valueCase); // rare: arrays, maps, bytes
    }

    private static long text(String text, long seed) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return bytes(utf8, 0, utf8.length, seed);
    }

    private static long bytes(WireReader field, long seed) {
        return bytes(field.array(), field.start(), field.end(), seed);
    }

    private static long bytes(byte[] bytes, int from, int to, long seed) {
        long hash = seed ^ (to - from);
        for (int i = from; i < to; i++) {
            hash = (hash ^ (bytes[i] & 0xFF)) * 0x100000001B3L;
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
