package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A ResourceMetrics or ResourceLogs (the same shape): the resource's attributes, and its scope entries still unread,
 * since the resource may come after them on the wire.
 */
record ResourceEntry(List<Attribute> attributes, List<WireReader> scopes) {

    /** Reads an entry whose resource and scope entries have these tags. */
    static ResourceEntry read(WireReader entry, int resourceTag, int scopesTag) throws MalformedRequestException {
        var attributes = new ArrayList<Attribute>();
        var scopes = new ArrayList<WireReader>();
        while (entry.next()) {
            int tag = entry.tag();
            if (tag == resourceTag) {
                readResource(entry.field(), attributes);
            } else if (tag == scopesTag) {
                scopes.add(entry.field());
            } else {
                entry.skip();
            }
        }
        return new ResourceEntry(attributes, scopes);
    }

    /** Appends a Resource's attributes (a resource field seen twice merges, as protobuf's rule has it). */
    private static void readResource(WireReader resource, List<Attribute> attributes) throws MalformedRequestException {
        while (resource.next()) {
            if (resource.tag() == OtlpTags.RESOURCE_ATTRIBUTES) {
                attributes.add(Attribute.read(resource));
            } else {
                resource.skip();
            }
        }
    }
}
