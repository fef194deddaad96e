package dev.tokenmetrics.receiver.otlp;

import dev.tokenmetrics.receiver.otlp.OtlpSchema.Field;
import dev.tokenmetrics.receiver.otlp.OtlpSchema.MessageType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link OtlpSchema} made ready for {@link JsonEncoding}: each message's fields found by the UTF-8 bytes of a JSON key
 * as they stand in the body (no String made, no map probed), and each message field's own message resolved once.
 * Built once per encoding; immutable after.
 */
final class JsonSchema {

    /** A field, its tag for one value, and for a message field the index of its message in the schema, else -1. */
    record Member(Field field, int tag, int message) {
    }

    /** One message: its fields by either JSON key, lowerCamelCase or the proto name, in an open-addressed table. */
    static final class Message {

        private final MessageType type;
        private final byte[][] keys;
        private final int[] hashes;
        private final Member[] members;
        private final int mask;
        private final Map<String, Member> byKey;

        private Message(MessageType type, Map<String, Member> byKey) {
            this.type = type;
            this.byKey = byKey;
            int slots = Integer.highestOneBit(byKey.size() * 4 - 1) << 1; // at most a quarter full: probes stay short
            keys = new byte[slots][];
            hashes = new int[slots];
            members = new Member[slots];
            mask = slots - 1;
            for (var entry : byKey.entrySet()) {
                byte[] key = entry.getKey().getBytes(StandardCharsets.UTF_8);
                int hash = hash(key, 0, key.length);
                int slot = spread(hash) & mask;
                while (keys[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = key;
                hashes[slot] = hash;
                members[slot] = entry.getValue();
            }
        }

        String name() {
            return type.name();
        }

        /** The field whose key is these bytes; null for a key OTLP does not have. */
        Member find(byte[] bytes, int offset, int length) {
            int hash = hash(bytes, offset, length);
            for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
                byte[] key = keys[slot];
                if (key == null) {
                    return null;
                }
                if (hashes[slot] == hash && key.length == length && same(key, bytes, offset)) {
                    return members[slot];
                }
            }
        }

        /** A loop rather than Arrays.equals, whose range checks and mismatch search C1 does not make cheap. */
        private static boolean same(byte[] key, byte[] bytes, int offset) {
            for (int i = 0; i < key.length; i++) {
                if (key[i] != bytes[offset + i]) {
                    return false;
                }
            }
            return true;
        }

        /** The field for a key that had to be decoded (it held escapes or non-ASCII characters); null if unknown. */
        Member find(String key) {
            return byKey.get(key);
        }
    }

    private final Message[] messages;
    private final Map<String, Integer> indexes;

    JsonSchema() {
        List<MessageType> types = new ArrayList<>();
        OtlpSchema.messages().forEach(types::add);
        indexes = new HashMap<>();
        for (MessageType type : types) {
            indexes.put(type.name(), indexes.size());
        }
        messages = new Message[types.size()];
        for (MessageType type : types) {
            var byKey = new HashMap<String, Member>();
            for (Field field : type.fields()) {
                var member = new Member(field, field.tag(),
                        field.type() == OtlpSchema.Type.MESSAGE ? indexes.get(field.messageType()) : -1);
                byKey.put(field.name(), member);
                byKey.put(field.jsonName(), member);
            }
            messages[indexes.get(type.name())] = new Message(type, Map.copyOf(byKey));
        }
    }

    /** The Export*ServiceRequest a signal posts. */
    Message request(Signal signal) {
        return messages[indexes.get(OtlpSchema.request(signal).name())];
    }

    /** A message field's message, by {@link Member#message()}. */
    Message message(int index) {
        return messages[index];
    }

    /**
     * A key's hash: its length and its first and last bytes, which tell apart the keys of every OTLP message but
     * a few, and cost no loop over the key (C1 compiles a loop to no better than a byte at a time).
     */
    static int hash(byte[] bytes, int offset, int length) {
        return length == 0 ? 0 : length << 16 ^ bytes[offset] << 8 ^ bytes[offset + length - 1];
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
