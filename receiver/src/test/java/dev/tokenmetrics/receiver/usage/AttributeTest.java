package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.Otlp.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributeTest {

    /** A message whose field 1 holds these raw KeyValue bodies, as a resource holds its attributes. */
    private static List<Attribute> read(byte[]... keyValues) throws MalformedRequestException {
        var out = new ByteArrayOutputStream();
        for (byte[] keyValue : keyValues) {
            out.write(0x0A);
            out.write(keyValue.length);
            out.writeBytes(keyValue);
        }
        var reader = WireReader.of(out.toByteArray());
        var attributes = new ArrayList<Attribute>();
        while (reader.next()) {
            attributes.add(Attribute.read(reader));
        }
        return attributes;
    }

    private static byte[] field(int tag, byte[] body) {
        var out = new ByteArrayOutputStream();
        out.write(tag);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static final byte[] KEY = field(0x0A, "model".getBytes(StandardCharsets.UTF_8));
    private static final byte[] VALUE = field(0x12, AnyValue.newBuilder().setStringValue("opus").build().toByteArray());

    @Test
    void aKeyAfterItsValueReadsAsTheKeyBeforeIt() throws Exception {
        Attribute keyFirst = read(concat(KEY, VALUE)).get(0);
        Attribute valueFirst = read(concat(VALUE, KEY)).get(0);

        for (Attribute attribute : List.of(keyFirst, valueFirst)) {
            assertEquals("model", attribute.key());
            assertTrue(attribute.keyIs("model".getBytes(StandardCharsets.UTF_8)));
            assertEquals("opus", attribute.scalar());
        }
        assertEquals(Hashes.resource(List.of(keyFirst)), Hashes.resource(List.of(valueFirst)));
    }

    @Test
    void ofAValueSentTwiceTheLastCounts() throws Exception {
        byte[] again = field(0x12, AnyValue.newBuilder().setIntValue(7).build().toByteArray());
        Attribute attribute = read(concat(concat(KEY, VALUE), again)).get(0);
        assertEquals(Attribute.INT, attribute.valueCase());
        assertEquals("7", attribute.scalar());
    }

    @Test
    void aKeyWithoutValueAndAValueWithoutKeyReadAsEmpty() throws Exception {
        List<Attribute> attributes = read(KEY, VALUE);
        assertEquals(0, attributes.get(0).valueCase());
        assertNull(attributes.get(0).scalar());
        assertEquals("", attributes.get(1).key());
        assertEquals("opus", attributes.get(1).scalar());
    }

    @Test
    void theAttributesAfterOneAreReadToo() throws Exception {
        var list = AttributesTest.attributes(kv("a", "1"),
                KeyValue.newBuilder().setKey("arr").setValue(AnyValue.newBuilder().setArrayValue(
                        ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setStringValue("x")))).build(),
                kv("b", "2"));
        assertEquals(3, list.size());
        assertEquals("1", list.get(0).scalar());
        assertEquals(OtlpTags.ARRAY_VALUE >>> 3, list.get(1).valueCase());
        assertNull(list.get(1).scalar(), "arrays are no scalar");
        assertFalse(list.get(1).isString("x".getBytes(StandardCharsets.UTF_8)));
        assertEquals("2", list.get(2).scalar());
    }

    @Test
    void aStringValueMustBeUtf8() throws Exception {
        byte[] badString = field(0x12, new byte[] {0x0A, 2, (byte) 0xC3, 0x28});
        Attribute attribute = read(concat(KEY, badString)).get(0);
        assertThrows(MalformedRequestException.class, attribute::scalar);
    }
}
