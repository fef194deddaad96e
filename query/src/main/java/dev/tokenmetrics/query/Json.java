package dev.tokenmetrics.query;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A small streaming JSON writer, two-space indented like ccusage's output; strings escaped per RFC 8259. It writes
 * UTF-8 bytes, in one pass, into a block it hands to its sink when full: a year's session report (7.7 MB) goes to
 * its reader without ever being a String, nor a copy of one. Field names used on every row are encoded once
 * ({@link Name}); amounts are written from integer picodollars ({@link #usd}), dates from epoch milliseconds.
 */
public final class Json {

    /**
     * A field name, quoted, escaped and followed by ": ", encoded once; and with what comes before it at each of the
     * first depths (a comma, the line's end and its indent), so that a field's start is one copy.
     */
    public static final class Name {
        /** The depths whose field starts are kept: a report's fields are at most four deep. */
        private static final int DEPTHS = 8;

        private final byte[] encoded;
        /** At depth d: ",\n", 2d spaces, then the name as encoded. */
        private final byte[][] starts = new byte[DEPTHS][];

        private Name(byte[] encoded) {
            this.encoded = encoded;
            for (int depth = 0; depth < DEPTHS; depth++) {
                byte[] start = new byte[2 + 2 * depth + encoded.length];
                start[0] = ',';
                start[1] = '\n';
                Arrays.fill(start, 2, 2 + 2 * depth, (byte) ' ');
                System.arraycopy(encoded, 0, start, 2 + 2 * depth, encoded.length);
                starts[depth] = start;
            }
        }

        public static Name of(String name) {
            Json json = new Json();
            json.string(name);
            json.put(':');
            json.put(' ');
            json.flush();
            return new Name(json.kept.toByteArray());
        }
    }

    private static final int BLOCK = 8192;
    private static final byte[] SPACES = new byte[64];

    static {
        Arrays.fill(SPACES, (byte) ' ');
    }

    private final OutputStream sink; // where full blocks go
    private final ByteArrayOutputStream kept; // the sink when the text is kept for toString(); else null
    private final byte[] block = new byte[BLOCK];
    private int count; // bytes in the block
    private int depth;
    private boolean first = true;
    /** The brackets open, innermost last. */
    private final StringBuilder stack = new StringBuilder();
    /** The characters of the string being written. */
    private char[] chars = new char[64];

    /** A writer whose text is kept, for {@link #toString()}. */
    public Json() {
        this.kept = new ByteArrayOutputStream();
        this.sink = kept;
    }

    /** A writer whose bytes go to {@code sink} as they are written; {@link #flush()} sends the rest. */
    public Json(OutputStream sink) {
        this.kept = null;
        this.sink = sink;
    }

    public Json object() {
        return open('{');
    }

    public Json object(String name) {
        return name(name).open('{');
    }

    public Json object(Name name) {
        return name(name).open('{');
    }

    public Json array(String name) {
        return name(name).open('[');
    }

    public Json array(Name name) {
        return name(name).open('[');
    }

    public Json end() {
        char opened = stack.charAt(stack.length() - 1);
        stack.setLength(stack.length() - 1);
        depth--;
        if (!first) {
            newline();
        }
        put(opened == '{' ? '}' : ']');
        first = false;
        return this;
    }

    public Json field(String name, String value) {
        return name(name).value(value);
    }

    public Json field(Name name, String value) {
        return name(name).value(value);
    }

    public Json field(String name, long value) {
        name(name).number(value);
        return this;
    }

    public Json field(Name name, long value) {
        name(name).number(value);
        return this;
    }

    public Json field(String name, double value) {
        return name(name).ascii(Double.isFinite(value) ? number(value) : "null");
    }

    public Json field(String name, boolean value) {
        return name(name).ascii(value ? "true" : "false");
    }

    /** A decimal, written exactly; null for an unknown amount. */
    public Json field(String name, BigDecimal value) {
        return name(name).ascii(value == null ? "null" : value.toPlainString());
    }

    public Json field(String name, List<String> values) {
        return name(name).strings(values);
    }

    public Json field(Name name, List<String> values) {
        return name(name).strings(values);
    }

    /**
     * An amount of dollars given in picodollars, written exactly as {@link Usage#usd}'s plain string: the fewest
     * decimals that hold it ("0", "1.5", "0.000123").
     */
    public Json usd(Name name, long picos) {
        name(name);
        if (picos == Long.MIN_VALUE) {
            return ascii(Usage.usd(picos).toPlainString());
        }
        if (picos < 0) {
            put('-');
            picos = -picos;
        }
        long whole = picos / 1_000_000_000_000L;
        number(whole);
        long fraction = picos - whole * 1_000_000_000_000L;
        if (fraction != 0) {
            // all 12 decimals, then the trailing zeros taken back: the fewest that hold it
            room(13);
            block[count++] = '.';
            int at = count;
            writeDigits(fraction, at, 12);
            count = at + 12;
            while (block[count - 1] == '0') {
                count--;
            }
        }
        return this;
    }

    /** null, for a field with no value. */
    public Json nullField(Name name) {
        return name(name).ascii("null");
    }

    /** An instant as {@link Times#iso} writes it, from epoch milliseconds. */
    public Json time(Name name, long epochMs) {
        return quoted(name, epochMs, Times.ISO_LENGTH, Times::iso, ms -> Times.iso(java.time.Instant.ofEpochMilli(ms)));
    }

    /** A date ({@code "2026-12-01"}, as {@link java.time.LocalDate#toString()}) from its epoch day. */
    public Json date(Name name, long epochDay) {
        return quoted(name, epochDay, Times.DATE_LENGTH, Times::date,
                day -> java.time.LocalDate.ofEpochDay(day).toString());
    }

    /** Writes a value's digits at {@code at}: how many, or -1 where it cannot (then java.time's text is written). */
    private interface Digits {
        int write(long value, byte[] into, int at);
    }

    private Json quoted(Name name, long value, int length, Digits digits,
                        java.util.function.LongFunction<String> text) {
        name(name);
        put('"');
        room(length);
        int written = digits.write(value, block, count);
        if (written < 0) {
            ascii(text.apply(value));
        } else {
            count += written;
        }
        put('"');
        return this;
    }

    /** The start of an unnamed object inside an array. */
    public Json element() {
        if (!first) {
            put(',');
        }
        newline();
        first = false;
        return this;
    }

    public Json open(char bracket) {
        put(bracket);
        stack.append(bracket);
        depth++;
        first = true;
        return this;
    }

    /** A line's end, after the outermost bracket. */
    public Json lineEnd() {
        put('\n');
        return this;
    }

    /** Sends what the block holds to the sink. */
    public Json flush() {
        if (count > 0) {
            try {
                sink.write(block, 0, count);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            count = 0;
        }
        return this;
    }

    /** The text written so far, of a writer that keeps it. */
    @Override
    public String toString() {
        if (kept == null) {
            throw new IllegalStateException("this writer's text went to its sink");
        }
        flush();
        return kept.toString(StandardCharsets.UTF_8);
    }

    private Json name(String name) {
        element();
        string(name);
        put(':');
        put(' ');
        return this;
    }

    private Json name(Name name) {
        if (depth < Name.DEPTHS) { // the comma (but for the first), line's end, indent and name in one copy
            byte[] start = name.starts[depth];
            int from = first ? 1 : 0;
            first = false;
            int length = start.length - from;
            if (length <= BLOCK) {
                room(length);
                System.arraycopy(start, from, block, count, length);
                count += length;
                return this;
            }
            first = from == 1;
        }
        element();
        byte[] encoded = name.encoded;
        for (int at = 0; at < encoded.length; ) { // in runs: a name may be longer than a block
            if (count == BLOCK) {
                flush();
            }
            int run = Math.min(encoded.length - at, BLOCK - count);
            System.arraycopy(encoded, at, block, count, run);
            count += run;
            at += run;
        }
        return this;
    }

    private Json value(String value) {
        if (value == null) {
            return ascii("null");
        }
        string(value);
        return this;
    }

    private Json strings(List<String> values) {
        open('[');
        if (values instanceof java.util.RandomAccess) { // no iterator: three lists a row of a report
            for (int i = 0, n = values.size(); i < n; i++) {
                element();
                string(values.get(i));
            }
        } else {
            for (String value : values) {
                element();
                string(value);
            }
        }
        return end();
    }

    private void newline() {
        put('\n');
        int spaces = 2 * depth;
        while (spaces > 0) {
            int run = Math.min(spaces, SPACES.length);
            room(run);
            System.arraycopy(SPACES, 0, block, count, run);
            count += run;
            spaces -= run;
        }
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** A long in decimal, its digits written in place. */
    private void number(long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                ascii(Long.toString(value));
                return;
            }
            put('-');
            value = -value;
        }
        int digits = digits(value);
        room(digits);
        writeDigits(value, count, digits);
        count += digits;
    }

    /** 10^i, for counting a number's digits by comparison rather than by dividing. */
    private static final long[] POWERS = new long[19];
    /** "00" to "99": two digits a division. */
    private static final byte[] PAIRS = new byte[200];

    static {
        POWERS[0] = 1;
        for (int i = 1; i < POWERS.length; i++) {
            POWERS[i] = POWERS[i - 1] * 10;
        }
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    /** The decimal digits of a value of at least 0. */
    private static int digits(long value) {
        int digits = 1;
        while (digits < POWERS.length && value >= POWERS[digits]) {
            digits++;
        }
        return digits;
    }

    /**
     * The last {@code digits} digits of {@code value} (at least 0), zeros in front, at {@code at} in the block (room
     * made): two a division, in 32-bit arithmetic once the rest fits.
     */
    private void writeDigits(long value, int at, int digits) {
        int i = at + digits;
        while (value > Integer.MAX_VALUE && i - at >= 2) {
            long rest = value / 100;
            int pair = (int) (value - rest * 100) << 1;
            block[--i] = PAIRS[pair + 1];
            block[--i] = PAIRS[pair];
            value = rest;
        }
        int small = (int) value;
        while (i - at >= 2) {
            int rest = small / 100;
            int pair = (small - rest * 100) << 1;
            block[--i] = PAIRS[pair + 1];
            block[--i] = PAIRS[pair];
            small = rest;
        }
        if (i > at) {
            block[--i] = (byte) ('0' + small % 10);
        }
    }

    /** Text known to be ASCII (numbers, literals), as is. */
    private Json ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            put(text.charAt(i));
        }
        return this;
    }

    /**
     * The string quoted, escaped where JSON needs it, encoded as UTF-8 (an unpaired surrogate as '?', as
     * String.getBytes writes it).
     */
    private void string(String value) {
        put('"');
        int length = value.length();
        // one bulk copy rather than a checked charAt a character (a tenth of a year's session report, under C1)
        if (chars.length < length) {
            chars = new char[Math.max(length, 2 * chars.length)];
        }
        char[] chars = this.chars;
        value.getChars(0, length, chars, 0);
        for (int i = 0; i < length; i++) {
            char c = chars[i];
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\') {
                    if (count == BLOCK) {
                        flush();
                    }
                    block[count++] = (byte) c;
                    continue;
                }
                switch (c) {
                    case '"' -> escape('"');
                    case '\\' -> escape('\\');
                    case '\n' -> escape('n');
                    case '\r' -> escape('r');
                    case '\t' -> escape('t');
                    case '\b' -> escape('b');
                    case '\f' -> escape('f');
                    default -> unicode(c);
                }
            } else if (c < 0x800) {
                room(2);
                block[count++] = (byte) (0xc0 | c >> 6);
                block[count++] = (byte) (0x80 | c & 0x3f);
            } else if (c == '\u2028' || c == '\u2029') {
                unicode(c);
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(chars[i + 1])) {
                    int point = Character.toCodePoint(c, chars[++i]);
                    room(4);
                    block[count++] = (byte) (0xf0 | point >> 18);
                    block[count++] = (byte) (0x80 | point >> 12 & 0x3f);
                    block[count++] = (byte) (0x80 | point >> 6 & 0x3f);
                    block[count++] = (byte) (0x80 | point & 0x3f);
                } else {
                    put('?');
                }
            } else {
                room(3);
                block[count++] = (byte) (0xe0 | c >> 12);
                block[count++] = (byte) (0x80 | c >> 6 & 0x3f);
                block[count++] = (byte) (0x80 | c & 0x3f);
            }
        }
        put('"');
    }

    private void escape(char c) {
        put('\\');
        put(c);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** \\u and four lowercase hex digits. */
    private void unicode(char c) {
        room(6);
        block[count++] = '\\';
        block[count++] = 'u';
        for (int shift = 12; shift >= 0; shift -= 4) {
            block[count++] = HEX[c >> shift & 0xf];
        }
    }

    /** One ASCII character. */
    private void put(char c) {
        if (count == BLOCK) {
            flush();
        }
        block[count++] = (byte) c;
    }

    /** Makes room for {@code bytes} (at most a block) in the block. */
    private void room(int bytes) {
        if (count + bytes > BLOCK) {
            flush();
        }
    }
}
