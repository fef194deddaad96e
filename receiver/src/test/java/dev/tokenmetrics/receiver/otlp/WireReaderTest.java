package dev.tokenmetrics.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WireReaderTest {

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    @Test
    void readsEachWireTypeItsCallerAsksFor() throws Exception {
        // field 1 varint 300, field 2 fixed64 1, field 3 "hi"
        var reader = WireReader.of(bytes(0x08, 0xAC, 0x02, 0x11, 1, 0, 0, 0, 0, 0, 0, 0, 0x1A, 2, 'h', 'i'));

        assertTrue(reader.next());
        assertEquals(WireType.tag(1, WireType.VARINT), reader.tag());
        assertEquals(300, reader.varint());
        assertTrue(reader.next());
        assertEquals(WireType.tag(2, WireType.FIXED64), reader.tag());
        assertEquals(1, reader.fixed64());
        assertTrue(reader.next());
        WireReader text = reader.field();
        assertEquals("hi", text.text());
        assertTrue(text.contentEquals("hi".getBytes(StandardCharsets.UTF_8)));
        assertFalse(reader.next());
    }

    @Test
    void skipsFieldsOfEveryWireTypeIncludingNestedGroups() throws Exception {
        byte[] unknown = bytes(
                0x08, 0xFF, 0x01,                // 1: varint
                0x11, 0, 0, 0, 0, 0, 0, 0, 0,    // 2: fixed64
                0x1A, 3, 1, 2, 3,                // 3: length-delimited
                0x25, 0, 0, 0, 0,                // 4: fixed32
                0x2B, 0x33, 0x08, 1, 0x34, 0x2C, // 5: group holding group 6 holding a varint
                0x38, 7);                        // 7: varint, read
        var reader = WireReader.of(unknown);
        while (reader.next() && reader.tag() != WireType.tag(7, WireType.VARINT)) {
            reader.skip();
        }
        assertEquals(7, reader.varint());
    }

    @Test
    void refusesEveryKindOfMalformedInput() {
        byte[][] malformed = {
            bytes(0x08),                                     // varint missing
            bytes(0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), // 11-byte varint
            bytes(0x11, 1, 2, 3),                            // fixed64 cut short
            bytes(0x1A, 5, 'a'),                             // length past the end
            bytes(0x00, 0x01),                               // field number 0
            bytes(0x0E, 0x01),                               // wire type 6
            bytes(0x0B, 0x08, 1),                            // group without its end
            bytes(0x0B, 0x14),                               // group ended by another field number
            bytes(0x0C),                                     // end of a group never started
        };
        for (byte[] body : malformed) {
            assertThrows(MalformedRequestException.class, () -> {
                var reader = WireReader.of(body);
                while (reader.next()) {
                    switch (reader.tag() & 7) {
                        case WireType.VARINT -> reader.varint();
                        case WireType.FIXED64 -> reader.fixed64();
                        case WireType.LENGTH_DELIMITED -> reader.field();
                        default -> reader.skip();
                    }
                }
            }, Arrays.toString(body));
        }
    }

    @Test
    void aLengthPrefixCannotReachPastItsEnclosingMessage() throws Exception {
        // field 1 holds 2 bytes: a nested field 2 claiming 5 bytes, which exist only outside field 1
        var outer = WireReader.of(bytes(0x0A, 2, 0x12, 5, 'a', 'b', 'c', 'd', 'e'));
        assertTrue(outer.next());
        WireReader inner = outer.field();
        assertTrue(inner.next());
        assertThrows(MalformedRequestException.class, inner::field);
    }

    @Test
    void textMustBeUtf8() throws Exception {
        var reader = WireReader.of(bytes(0x0A, 2, 0xC3, 0x28));
        reader.next();
        assertThrows(MalformedRequestException.class, () -> reader.field().text());

        var accented = WireReader.of(bytes(0x0A, 2, 0xC3, 0xA9));
        accented.next();
        assertEquals("é", accented.field().text());
    }

    @Test
    void aFieldIsAViewOfTheSameBytes() throws Exception {
        byte[] body = bytes(0x0A, 2, 'o', 'k');
        var reader = WireReader.of(body);
        reader.next();
        WireReader field = reader.field();
        assertArrayEquals(body, field.array());
        assertEquals(2, field.start());
        assertEquals(4, field.end());
        assertTrue(WireReader.empty().isEmpty());
    }

    @Test
    void aMessageIsReadInPlaceBetweenEnterAndLeave() throws Exception {
        // field 1 a message of field 2 "ab" and field 3 varint 7 (part of it left unread), then field 4 varint 9
        var reader = WireReader.of(bytes(0x0A, 6, 0x12, 2, 'a', 'b', 0x18, 7, 0x20, 9));
        assertTrue(reader.next());
        int outer = reader.enter();
        assertTrue(reader.next());
        int from = reader.pass();
        assertEquals("ab", WireReader.text(reader.array(), from, reader.position()));
        reader.leave(outer);
        assertTrue(reader.next(), "after leave, the enclosing message's next field");
        assertEquals(WireType.tag(4, WireType.VARINT), reader.tag());
        assertEquals(9, reader.varint());
        assertFalse(reader.next());
    }

    @Test
    void anEnteredMessageEndsWhereItsLengthSays() throws Exception {
        // field 1 holds 2 bytes: a nested field 2 claiming 5 bytes, which exist only outside field 1
        var reader = WireReader.of(bytes(0x0A, 2, 0x12, 5, 'a', 'b', 'c', 'd', 'e'));
        assertTrue(reader.next());
        reader.enter();
        assertTrue(reader.next());
        assertThrows(MalformedRequestException.class, reader::pass);

        var past = WireReader.of(bytes(0x0A, 9, 0x08, 1));
        assertTrue(past.next());
        assertThrows(MalformedRequestException.class, past::enter, "a message longer than what is left");
    }
}
