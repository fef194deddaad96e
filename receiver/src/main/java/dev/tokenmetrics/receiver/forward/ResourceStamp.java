package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import dev.tokenmetrics.receiver.otlp.WireType;
import dev.tokenmetrics.receiver.otlp.WireWriter;
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
 */
final class ResourceStamp {

    private static final int RESOURCE_SIGNALS = WireType.tag(1, WireType.LENGTH_DELIMITED);
    private static final int RESOURCE = WireType.tag(1, WireType.LENGTH_DELIMITED);
    private static final int ATTRIBUTE = WireType.tag(1, WireType.LENGTH_DELIMITED);
    private static final int KEY = WireType.tag(1, WireType.LENGTH_DELIMITED);

    private final Map<String, String> attributes;

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
        var out = new WireWriter(request.length + 64 + 64 * attributes.size());
        WireReader reader = WireReader.of(request);
        int from = reader.position();
        while (reader.next()) {
            if (reader.tag() == RESOURCE_SIGNALS) {
                out.tag(1, WireType.LENGTH_DELIMITED);
                int mark = out.mark();
                resourceSignals(reader.field(), out);
                out.prefixLength(mark);
            } else {
                reader.skip();
                out.raw(request, from, reader.position() - from);
            }
            from = reader.position();
        }
        return out.toByteArray();
    }

    private void resourceSignals(WireReader signals, WireWriter out) throws MalformedRequestException {
        // First the resource: its own bytes, merged, then what it lacks.
        Set<String> present = new HashSet<>();
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
        // Then every other field, as it was.
        fields = signals.again();
        int from = fields.position();
        while (fields.next()) {
            fields.skip();
            if (fields.tag() != RESOURCE) {
                out.raw(fields.array(), from, fields.position() - from);
            }
            from = fields.position();
        }
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
