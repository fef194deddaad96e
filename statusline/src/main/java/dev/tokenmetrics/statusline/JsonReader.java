package dev.tokenmetrics.statusline;

import java.nio.charset.StandardCharsets;

/**
 * A pull reader over JSON bytes that reads only what it is asked for and skips the rest without building anything:
 * start-up time matters more here than generality. Malformed input raises {@link Malformed}.
 */
final class JsonReader {

    /** The input is not the JSON the caller expected. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final int MAX_DEPTH = 256;

    private final byte[] in;
    private int pos;

    JsonReader(byte[] in) {
        this.in = in;
    }

    /** Consumes '{' (after whitespace); false, consuming it, when the value is null; fails on anything else. */
    boolean beginObject() {
        skipWhitespace();
        if (peek() == 'n') {
            literal("null");
            return false;
        }
        expect('{');
        return true;
    }

    /**
     * The next key of the object being read, positioned before its value; null at the object's end (consumed).
     * Works after {@link #beginObject} and after each value.
     */
    String nextKey() {
        skipWhitespace();
        byte c = peek();
        if (c == ',') {
            pos++;
            skipWhitespace();
            c = peek();
        }
        if (c == '}') {
            pos++;
            return null;
        }
        String key = readStringRaw();
        skipWhitespace();
        expect(':');
        return key;
    }

    /** A string value, or null for JSON null or any other type (which is skipped). */
    String stringOrNull() {
        skipWhitespace();
        if (peek() == '"') {
            return readStringRaw();
        }
        skipValue();
        return null;
    }

    /** A number value, or NaN for null or any other type (which is skipped). */
    double numberOrNaN() {
        skipWhitespace();
        byte c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            int start = pos;
            while (pos < in.length && isNumberChar(in[pos])) {
                pos++;
            }
            try {
                return Double.parseDouble(new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
            } catch (NumberFormatException e) {
                throw new Malformed("bad number at " + start);
            }
        }
        skipValue();
        return Double.NaN;
    }

    /** Skips one value of any type, nested ones included. */
    void skipValue() {
        skipWhitespace();
        int depth = 0;
        do {
            byte c = peek();
            switch (c) {
                case '{', '[' -> {
                    if (++depth > MAX_DEPTH) {
                        throw new Malformed("nested too deeply");
                    }
                    pos++;
                }
                case '}', ']' -> {
                    depth--;
                    pos++;
                }
                case '"' -> skipString();
                case ',', ':' -> pos++;
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        while (pos < in.length && isNumberChar(in[pos])) {
                            pos++;
                        }
                    } else {
                        throw new Malformed("unexpected character at " + pos);
                    }
                }
            }
            if (depth < 0) {
                throw new Malformed("unbalanced at " + pos);
            }
            skipWhitespace();
        } while (depth > 0);
    }

    private static boolean isNumberChar(byte c) {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (pos >= in.length || in[pos] != word.charAt(i)) {
                throw new Malformed("bad literal at " + pos);
            }
            pos++;
        }
    }

    private void skipString() {
        expect('"');
        while (true) {
            byte c = next();
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                next();
            }
        }
    }

    private String readStringRaw() {
        expect('"');
        int start = pos;
        boolean plain = true;
        while (true) {
            byte c = next();
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                plain = false;
                next();
            }
        }
        if (plain) {
            return new String(in, start, pos - 1 - start, StandardCharsets.UTF_8);
        }
        return unescape(start, pos - 1);
    }

    private String unescape(int start, int end) {
        var out = new StringBuilder(end - start);
        int i = start;
        while (i < end) {
            int runStart = i;
            while (i < end && in[i] != '\\') {
                i++;
            }
            out.append(new String(in, runStart, i - runStart, StandardCharsets.UTF_8));
            if (i >= end) {
                break;
            }
            byte escape = in[i + 1];
            i += 2;
            switch (escape) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 > end) {
                        throw new Malformed("bad unicode escape");
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int digit = Character.digit(in[i + k], 16);
                        if (digit < 0) {
                            throw new Malformed("bad unicode escape");
                        }
                        code = code * 16 + digit;
                    }
                    out.append((char) code);
                    i += 4;
                }
                default -> out.append((char) escape); // \" \\ \/
            }
        }
        return out.toString();
    }

    private void skipWhitespace() {
        while (pos < in.length) {
            byte c = in[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    private byte peek() {
        if (pos >= in.length) {
            throw new Malformed("unexpected end");
        }
        return in[pos];
    }

    private byte next() {
        byte c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw new Malformed("expected '" + c + "' at " + (pos - 1));
        }
    }
}
