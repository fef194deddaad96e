package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import dev.tokenmetrics.receiver.otlp.WireType;
import dev.tokenmetrics.receiver.otlp.WireWriter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Adds resource attributes (who, where) to every resource of an export, straight on its protobuf bytes. The three
 * signals' requests have the same shape there: field 1 repeats Resource{Metrics,Logs,Spans}, whose field 1 is the
 * Resource, whose field 1 repeats KeyValue {key = 1, value = 2: AnyValue {string_value = 1}}. An attribute the
 * resource already has is left as it is: what Claude Code says of itself wins. Every other field is copied through
 * byte for byte. Since a message field written twice merges, the resource's own bytes and the added attributes
 * are written as one Resource, whatever order and number of Resource fields the export had.
 *
 * <p>A receiver sees few distinct resources (one per Claude Code version and {@code OTEL_RESOURCE_ATTRIBUTES}), so
 * the stamped Resource of the last few is kept, found again by comparing bytes: an export's stamp is then a lookup
 * and copies, not a walk of its attributes. Not thread-safe: the sender's own.
 */
final class ResourceStamp {

    private static final int RESOURCE_SIGNALS = WireType.tag(1, WireType.LENGTH_DELIMITED);
    private static final int RESOURCE = WireType.tag(1, WireType.LENGTH_DELIMITED);
    private static final int ATTRIBUTE = WireType.tag(1, WireType.LENGTH_DELIMITED);
    private static final int KEY = WireType.tag(1, WireType.LENGTH_DELIMITED);
    /** How many distinct resources are remembered, and the largest one remembered. */
    static final int CACHED_RESOURCES = 8;
    static final int CACHED_RESOURCE_MAX_BYTES = 16 * 1024;

    private final Map<String, String> attributes;
    /** Most recently used first: a resource's own bytes and its Resource field as stamped (tag and length too). */
    private final byte[][] cachedKeys = new byte[CACHED_RESOURCES][];
    private final byte[][] cachedStamps = new byte[CACHED_RESOURCES][];

    ResourceStamp(Map<String, String> attributes) {
        this.attributes = new LinkedHashMap<>(attributes);
    }

    boolean isEmpty() {
        return attributes.isEmpty();
    }

    /** The export with the attributes added to each of its resources; throws for bytes that are not protobuf. */
    byte[] apply(byte[] request) throws MalformedRequestException {
        if (attributes.isEmpty()) {
            return request;
        }
        var out = new ReusableBytes(request.length + 64 + 64 * attributes.size(), Integer.MAX_VALUE);
        apply(request, 0, request.length, out);
        return out.toByteArray();
    }

    /**
     * Appends the export in {@code bytes[from, to)}, the attributes added, to {@code out}. On bytes that are not
     * protobuf it throws, having appended part of it: the caller cuts {@code out} back.
     */
    void apply(byte[] bytes, int from, int to, ReusableBytes out) throws MalformedRequestException {
        if (attributes.isEmpty()) {
            out.write(bytes, from, to - from);
            return;
        }
        WireReader reader = WireReader.of(bytes, from, to);
        int at = reader.position();
        while (reader.next()) {
            if (reader.tag() == RESOURCE_SIGNALS) {
                resourceSignals(reader.field(), out);
            } else {
                reader.skip();
                out.write(bytes, at, reader.position() - at);
            }
            at = reader.position();
        }
    }

    /** One Resource{Metrics,Logs,Spans}: its stamped Resource first, then every other field as it was. */
    private void resourceSignals(WireReader signals, ReusableBytes out) throws MalformedRequestException {
        byte[] resource = stampedResource(signals);
        int others = 0;
        WireReader fields = signals.again();
        int from = fields.position();
        while (fields.next()) {
            fields.skip();
            if (fields.tag() != RESOURCE) {
                others += fields.position() - from;
            }
            from = fields.position();
        }
        out.varint(RESOURCE_SIGNALS);
        out.varint(resource.length + (long) others);
        out.write(resource);
        fields = signals.again();
        from = fields.position();
        while (fields.next()) {
            fields.skip();
            if (fields.tag() != RESOURCE) {
                out.write(fields.array(), from, fields.position() - from);
            }
            from = fields.position();
        }
    }

    /** The Resource field to write: the cached one for a resource seen lately, else made (and cached). */
    private byte[] stampedResource(WireReader signals) throws MalformedRequestException {
        WireReader only = null;
        int resources = 0;
        WireReader fields = signals.again();
        while (fields.next()) {
            if (fields.tag() == RESOURCE) {
                only = fields.field();
                resources++;
            } else {
                fields.skip();
            }
        }
        boolean cacheable = resources == 1 && only.end() - only.start() <= CACHED_RESOURCE_MAX_BYTES;
        if (cacheable) {
            for (int i = 0; i < CACHED_RESOURCES && cachedKeys[i] != null; i++) {
                if (Arrays.equals(cachedKeys[i], 0, cachedKeys[i].length, only.array(), only.start(), only.end())) {
                    byte[] stamped = cachedStamps[i];
                    remember(i, cachedKeys[i], stamped);
                    return stamped;
                }
            }
        }
        byte[] stamped = stamp(signals);
        if (cacheable) {
            remember(CACHED_RESOURCES - 1, Arrays.copyOfRange(only.array(), only.start(), only.end()), stamped);
        }
        return stamped;
    }

    /** Puts an entry first, moving down those before {@code slot} (and dropping what was at {@code slot}). */
    private void remember(int slot, byte[] key, byte[] stamped) {
        System.arraycopy(cachedKeys, 0, cachedKeys, 1, slot);
        System.arraycopy(cachedStamps, 0, cachedStamps, 1, slot);
        cachedKeys[0] = key;
        cachedStamps[0] = stamped;
    }

    /** The Resource field: the resource's own bytes, merged, then the attributes it lacks. */
    private byte[] stamp(WireReader signals) throws MalformedRequestException {
        Set<String> present = new HashSet<>();
        var out = new WireWriter(256);
        out.tag(1, WireType.LENGTH_DELIMITED);
        int mark = out.mark();
        WireReader fields = signals.again();
        while (fields.next()) {
            if (fields.tag() == RESOURCE) {
                WireReader resource = fields.field();
                out.raw(resource.array(), resource.start(), resource.end() - resource.start());
                keysOf(resource, present);
            } else {
                fields.skip();
            }
        }
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            if (!present.contains(attribute.getKey())) {
                out.tag(1, WireType.LENGTH_DELIMITED); // Resource.attributes
                int keyValue = out.mark();
                out.tag(1, WireType.LENGTH_DELIMITED); // KeyValue.key
                out.string(attribute.getKey());
                out.tag(2, WireType.LENGTH_DELIMITED); // KeyValue.value
                int anyValue = out.mark();
                out.tag(1, WireType.LENGTH_DELIMITED); // AnyValue.string_value
                out.string(attribute.getValue());
                out.prefixLength(anyValue);
                out.prefixLength(keyValue);
            }
        }
        out.prefixLength(mark);
        return out.toByteArray();
    }

    private static void keysOf(WireReader resource, Set<String> present) throws MalformedRequestException {
        WireReader fields = resource.again();
        while (fields.next()) {
            if (fields.tag() == ATTRIBUTE) {
                WireReader keyValue = fields.field();
                while (keyValue.next()) {
                    if (keyValue.tag() == KEY) {
                        present.add(keyValue.field().text());
                    } else {
                        keyValue.skip();
                    }
                }
            } else {
                fields.skip();
            }
        }
    }
}
