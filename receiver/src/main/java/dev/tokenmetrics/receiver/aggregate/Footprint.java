package dev.tokenmetrics.receiver.aggregate;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Estimated heap bytes of the aggregator's objects on a 64-bit JVM with compressed references (12-byte headers,
 * 4-byte references, 8-byte alignment), as object layouts give them. The memory bound is enforced in these figures:
 * counted from what is kept, never measured, so that eviction stays deterministic and replay rebuilds the same state.
 */
final class Footprint {

    /** A HashMap/LinkedHashMap entry (LinkedHashMap's: 40 bytes) and its share of the table (up to 2 slots). */
    static final long MAP_ENTRY = 48;
    static final long TREE_MAP = 48;
    static final long TREE_ENTRY = 40;
    /** A StreamId key: header and two longs. */
    static final long STREAM_ID = 32;
    private static final long USAGE = 24 + 48; // Usage and its TokenCounts
    private static final long BIG_DECIMAL = 40;
    private static final long BIG_INTEGER = 40;

    private Footprint() {
    }

    static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }

    static long longArray(int length) {
        return align(16 + 8L * length);
    }

    /** A String and its array: one byte per character when all are Latin-1 (compact strings), else two. */
    static long string(String text) {
        int bytesPerChar = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                bytesPerChar = 2;
                break;
            }
        }
        return 24 + align(16 + (long) text.length() * bytesPerChar);
    }

    static long usage(Usage usage) {
        return USAGE + decimal(usage.costUsd());
    }

    /** A BigDecimal holds up to 18 digits in a long; beyond that, a BigInteger of ~3.33 bits per digit. */
    static long decimal(BigDecimal value) {
        int digits = value.precision();
        if (digits <= 18) {
            return BIG_DECIMAL;
        }
        long words = (long) Math.ceil(digits * 3.3220 / 32);
        return BIG_DECIMAL + BIG_INTEGER + align(16 + 4 * words);
    }

    /** An immutable map as Map.copyOf makes it: the map, a table of twice as many key and value slots, the strings. */
    static long strings(Map<String, String> map) {
        if (map.isEmpty()) {
            return 0; // the shared empty map
        }
        long bytes = 24 + align(16 + 4L * 4 * map.size());
        for (Map.Entry<String, String> entry : map.entrySet()) {
            bytes += string(entry.getKey()) + string(entry.getValue());
        }
        return bytes;
    }
}
