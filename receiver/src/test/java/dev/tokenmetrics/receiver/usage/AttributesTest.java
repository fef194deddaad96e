package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.Otlp.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributesTest {

    /** The key-values as an export's attributes: read in place, each the current field of a message holding them. */
    static List<Attribute> attributes(KeyValue... keyValues) throws MalformedRequestException {
        var reader = WireReader.of(KeyValueList.newBuilder().addAllValues(List.of(keyValues)).build().toByteArray());
        var attributes = new ArrayList<Attribute>();
        while (reader.next()) {
            attributes.add(Attribute.read(reader));
        }
        return attributes;
    }

    private static KeyValue kvInt(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    @Test
    void findTakesTheFirstAttributeWithTheKeyAndFallsBackWhenItIsEmptyOrMissing() throws Exception {
        var list = attributes(kv("model", "a"), kv("model", "b"), kv("session.id", ""), kvInt("event.sequence", 7));

        assertEquals("a", Attributes.find(list, Attributes.MODEL_KEY, "none"));
        assertEquals("none", Attributes.find(list, Attributes.SESSION_ID_KEY, "none"));
        assertEquals("7", Attributes.find(list, Attributes.EVENT_SEQUENCE_KEY, "none"), "scalars read as text");
        assertNull(Attributes.find(list, Attributes.TERMINAL_TYPE_KEY, null));
    }

    @Test
    void valuesAreCutToTheirMaximumLength() throws Exception {
        String long300 = "x".repeat(300);

        assertEquals(Attributes.MAX_LENGTH, Attributes.scalar(attributes(kv("model", long300)).get(0)).length());
    }

    @Test
    void labelsAreReadInOnePassTheLastNonEmptyValueCounting() throws Exception {
        var array = KeyValue.newBuilder().setKey("type")
                .setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.getDefaultInstance())).build();
        var labels = new Attributes.Labels();

        labels.read(attributes(kv("session.id", "s1"), kv("session.id", "s2"), kv("session.id", ""),
                kv("type", "input"), array, kv("terminal.type", "vscode"), kv("other", "ignored")));

        assertEquals("s2", labels.sessionId());
        assertEquals("unknown", labels.model(), "no model attribute");
        assertEquals("input", labels.type(), "an array value is no label");
        assertEquals("vscode", labels.terminal());
    }

    @Test
    void aSessionsResourceIsItsFirstScalarAttributesAndTheTerminal() throws Exception {
        var keyValues = new ArrayList<KeyValue>();
        keyValues.add(kv("k".repeat(Attributes.MAX_LENGTH + 1), "key too long"));
        keyValues.add(KeyValue.newBuilder().setKey("array")
                .setValue(AnyValue.newBuilder().setArrayValue(ArrayValue.getDefaultInstance())).build());
        for (int i = 0; i < Attributes.MAX_RESOURCE_ATTRIBUTES + 5; i++) {
            keyValues.add(kv("key" + i, "value" + i));
        }

        Map<String, String> described = Attributes.describe(attributes(keyValues.toArray(KeyValue[]::new)), "xterm");

        assertEquals(Attributes.MAX_RESOURCE_ATTRIBUTES + 1, described.size(), "capped, plus the terminal");
        assertEquals("value0", described.get("key0"));
        assertNull(described.get("key" + Attributes.MAX_RESOURCE_ATTRIBUTES));
        assertEquals("xterm", described.get("terminal.type"));
    }
}
