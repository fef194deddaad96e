package dev.tokenmetrics.statusline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonReaderTest {

    private static JsonReader reader(String json) {
        return new JsonReader(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheKeysAskedForAndSkipsEverythingElse() {
        var reader = reader(" {\"skip\":{\"a\":[1,{\"b\":\"}\"},true,null,-1.5e3]},\"name\":\"caf\\u00e9 \\\"x\\\"\",\"n\":12.5} ");
        reader.beginObject();
        assertEquals("skip", reader.nextKey());
        reader.skipValue();
        assertEquals("name", reader.nextKey());
        assertEquals("café \"x\"", reader.stringOrNull());
        assertEquals("n", reader.nextKey());
        assertEquals(12.5, reader.numberOrNaN());
        assertNull(reader.nextKey());
    }

    @Test
    void wrongTypesReadAsUnknown() {
        var reader = reader("{\"a\":5,\"b\":\"x\",\"c\":null}");
        reader.beginObject();
        reader.nextKey();
        assertNull(reader.stringOrNull());
        reader.nextKey();
        assertEquals(Double.NaN, reader.numberOrNaN());
        reader.nextKey();
        assertEquals(false, reader.beginObject(), "null is no object");
    }

    @Test
    void malformedInputFailsCleanly() {
        var cut = reader("{\"a\":");
        cut.beginObject();
        cut.nextKey();
        assertThrows(JsonReader.Malformed.class, cut::stringOrNull);
        var truncated = reader("{\"a\":[1,2");
        truncated.beginObject();
        truncated.nextKey();
        assertThrows(JsonReader.Malformed.class, truncated::skipValue);
        assertThrows(JsonReader.Malformed.class, () -> reader("[1]").beginObject());
        var deep = reader("{\"a\":" + "[".repeat(300) + "]".repeat(300) + "}");
        deep.beginObject();
        deep.nextKey();
        assertThrows(JsonReader.Malformed.class, deep::skipValue);
    }

    @Test
    void parsesIsoInstants() {
        assertEquals(0, Times.parseIsoMillis("1970-01-01T00:00:00Z"));
        assertEquals(1795416345144L, Times.parseIsoMillis("2026-11-23T06:45:45.144Z"));
        assertEquals(1795416345144L, Times.parseIsoMillis("2026-11-23T06:45:45.144818129Z"));
        assertEquals(-1, Times.parseIsoMillis("2026-11-23 06:45:45Z"));
        assertEquals(-1, Times.parseIsoMillis("yesterday"));
        assertEquals(-1, Times.parseIsoMillis(null));
    }
}
