package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A NumberDataPoint's fields that usage needs, and its labels. Mutable and reused from point to point within one
 * export ({@link #read} starts afresh): a point costs its attributes and its {@link UsagePoint}, nothing more.
 */
final class DataPoint {

    private final List<Attribute> attributes = new ArrayList<>();
    private final Attributes.Labels labels = new Attributes.Labels();
    private long startNanos;
    private long timeNanos;
    private boolean hasValue;
    private double value;

    /** Reads a NumberDataPoint, forgetting the one read before. */
    DataPoint read(WireReader point) throws MalformedRequestException {
        attributes.clear();
        startNanos = 0;
        timeNanos = 0;
        hasValue = false;
        value = 0;
        while (point.next()) {
            int tag = point.tag();
            if (tag == OtlpTags.POINT_ATTRIBUTES) {
                attributes.add(Attribute.read(point));
            } else if (tag == OtlpTags.POINT_TIME) {
                timeNanos = point.fixed64();
            } else if (tag == OtlpTags.POINT_START_TIME) {
                startNanos = point.fixed64();
            } else if (tag == OtlpTags.POINT_AS_DOUBLE) {
                hasValue = true;
                value = Double.longBitsToDouble(point.fixed64());
            } else if (tag == OtlpTags.POINT_AS_INT) {
                hasValue = true;
                value = point.fixed64();
            } else {
                point.skip();
            }
        }
        labels.read(attributes);
        return this;
    }

    /** Valid until the next {@link #read}: hashed at once, never kept. */
    List<Attribute> attributes() {
        return attributes;
    }

    Attributes.Labels labels() {
        return labels;
    }

    long startNanos() {
        return startNanos;
    }

    long timeNanos() {
        return timeNanos;
    }

    /** Whether as_double or as_int was set (the last one set wins, as protobuf's oneof rule has it). */
    boolean hasValue() {
        return hasValue;
    }

    double value() {
        return value;
    }
}
