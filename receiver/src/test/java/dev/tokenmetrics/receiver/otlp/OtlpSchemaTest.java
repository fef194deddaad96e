package dev.tokenmetrics.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.Field;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.MessageType;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The hand-written schema is exactly what opentelemetry-proto's generated descriptors say, message by message. */
class OtlpSchemaTest {

    /** OTLP/HTTP's JSON encoding writes these bytes fields as hex, all others as base64. */
    private static final Set<String> HEX_IDS = Set.of("trace_id", "span_id", "parent_span_id");

    @Test
    void everyMessageReachableFromTheRequestsHasTheGeneratedFields() {
        Map<String, Descriptor> reachable = reachableMessages();

        for (Descriptor descriptor : reachable.values()) {
            MessageType type = OtlpSchema.message(descriptor.getName());
            assertNotNull(type, descriptor.getFullName() + " is missing");
            assertEquals(expectedFields(descriptor), sorted(type.fields()), descriptor.getFullName());
        }
        Set<String> written = new HashSet<>();
        OtlpSchema.messages().forEach(type -> written.add(type.name()));
        assertEquals(reachable.keySet(), written, "no message beyond what the requests reach");
    }

    @Test
    void eachSignalStartsAtItsRequest() {
        for (Signal signal : Signal.values()) {
            assertEquals(signal.requestPrototype().getDescriptorForType().getName(), OtlpSchema.request(signal).name());
        }
    }

    @Test
    void fieldsAreFoundByJsonNameAndByOriginalName() {
        MessageType point = OtlpSchema.message("NumberDataPoint");
        assertSame(point.field("time_unix_nano"), point.field("timeUnixNano"));
        assertEquals(3, point.field("timeUnixNano").number());
        for (MessageType type : OtlpSchema.messages()) {
            for (Field field : type.fields()) {
                assertSame(field, type.field(field.jsonName()));
                assertSame(field, type.field(field.name()));
            }
        }
    }

    @Test
    void wireTypesAreProtobufs() {
        assertEquals(WireFormat.WIRETYPE_VARINT, WireType.VARINT);
        assertEquals(WireFormat.WIRETYPE_FIXED64, WireType.FIXED64);
        assertEquals(WireFormat.WIRETYPE_LENGTH_DELIMITED, WireType.LENGTH_DELIMITED);
        assertEquals(WireFormat.WIRETYPE_START_GROUP, WireType.START_GROUP);
        assertEquals(WireFormat.WIRETYPE_END_GROUP, WireType.END_GROUP);
        assertEquals(WireFormat.WIRETYPE_FIXED32, WireType.FIXED32);
    }

    @Test
    void everyFieldsTagIsTheOneProtobufWritesItsValuesWith() {
        for (Descriptor descriptor : reachableMessages().values()) {
            for (FieldDescriptor field : descriptor.getFields()) {
                assertEquals(field.getNumber() << 3 | field.getLiteType().getWireType(),
                        OtlpSchema.tag(descriptor.getName(), field.getName()), field.getFullName());
            }
        }
    }

    @Test
    void enumValuesAreLookedUpByTheirProtoNames() {
        assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE_VALUE,
                OtlpSchema.enumValue("Sum", "aggregation_temporality", "AGGREGATION_TEMPORALITY_CUMULATIVE"));
    }

    @Test
    void aNameTheSchemaDoesNotHaveIsRefusedNotGuessed() {
        assertThrows(IllegalArgumentException.class, () -> OtlpSchema.tag("Metric", "nmae"));
        assertThrows(IllegalArgumentException.class, () -> OtlpSchema.tag("Metrics", "name"));
        assertThrows(IllegalArgumentException.class, () -> OtlpSchema.tag("NumberDataPoint", "timeUnixNano"),
                "proto names only: one spelling per field");
        assertThrows(IllegalArgumentException.class, () -> OtlpSchema.enumValue("Metric", "name", "DELTA"));
        assertThrows(IllegalArgumentException.class,
                () -> OtlpSchema.enumValue("Sum", "aggregation_temporality", "DELTA"));
    }

    /** By simple name, which the schema uses: asserted unique, so nothing is conflated. */
    private static Map<String, Descriptor> reachableMessages() {
        Map<String, Descriptor> byName = new HashMap<>();
        var pending = new ArrayDeque<Descriptor>();
        for (Signal signal : Signal.values()) {
            pending.add(signal.requestPrototype().getDescriptorForType());
        }
        while (!pending.isEmpty()) {
            Descriptor descriptor = pending.poll();
            Descriptor known = byName.putIfAbsent(descriptor.getName(), descriptor);
            if (known != null) {
                assertSame(known, descriptor, "two messages named " + descriptor.getName());
                continue;
            }
            for (FieldDescriptor field : descriptor.getFields()) {
                if (field.getType() == FieldDescriptor.Type.MESSAGE) {
                    pending.add(field.getMessageType());
                }
            }
        }
        return byName;
    }

    private static List<Field> expectedFields(Descriptor descriptor) {
        return sorted(descriptor.getFields().stream().map(field -> {
            assertEquals(field.getJsonName(), OtlpSchema.jsonName(field.getName()));
            return switch (field.getType()) {
                case MESSAGE -> new Field(field.getNumber(), field.getName(), OtlpSchema.Type.MESSAGE,
                        field.isRepeated(), field.getMessageType().getName(), null);
                case ENUM -> new Field(field.getNumber(), field.getName(), OtlpSchema.Type.ENUM, field.isRepeated(),
                        null, field.getEnumType().getValues().stream()
                                .collect(Collectors.toMap(EnumValueDescriptor::getName, EnumValueDescriptor::getNumber)));
                case BYTES -> new Field(field.getNumber(), field.getName(),
                        HEX_IDS.contains(field.getName()) ? OtlpSchema.Type.HEX_ID : OtlpSchema.Type.BYTES,
                        field.isRepeated(), null, null);
                default -> new Field(field.getNumber(), field.getName(), OtlpSchema.Type.valueOf(field.getType().name()),
                        field.isRepeated(), null, null);
            };
        }).toList());
    }

    private static List<Field> sorted(List<Field> fields) {
        return fields.stream().sorted(Comparator.comparingInt(Field::number)).toList();
    }
}
