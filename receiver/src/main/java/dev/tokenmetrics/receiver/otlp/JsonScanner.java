package dev.tokenmetrics.receiver.otlp;

import java.nio.charset.StandardCharsets;

/**
 * Reads JSON (RFC 8259, strictly, as Jackson reads it by default) token by token straight from its UTF-8 bytes, for
 * {@link JsonEncoding}: a string is found as a range of the body, checked but not decoded, so that a string field
 * goes to the wire as a copy of those bytes, and a key is looked up by its bytes ({@link JsonSchema}). Escapes and
 * numbers are decoded only when asked for. Every error is a {@link MalformedRequestException}; a syntax error names
 * the byte.
 * One per request.
 */
final class JsonScanner {

    /** OTLP's attribute values nest (kvlist in kvlist); real payloads stay far below this depth. */
    static final int MAX_NESTING = 64;
    /** As Jackson's default limit: a longer number is refused rather than parsed. */
    private static final int MAX_NUMBER_LENGTH = 1000;

    private final byte[] json;
    private final int end;
    private int position;
    private int depth;

    // The last string or number read: its bytes are json[start, stop).
    private int start;
    private int stop;
    private boolean escaped; // a string with escapes: its bytes are not its value
    private boolean integral; // a number without fraction or exponent

    /** A scanner at the start of the body, after a UTF-8 byte order mark if there is one (RFC 8259 lets us skip it). */
    JsonScanner(byte[] json) {
        this.json = json;
        this.end = json.length;
        boolean mark = json.length >= 3 && json[0] == (byte) 0xEF && json[1] == (byte) 0xBB && json[2] == (byte) 0xBF;
        this.position = mark ? 3 : 0;
    }

    byte[] bytes() {
        return json;
    }

    int start() {
        return start;
    }

    int length() {
        return stop - start;
    }

    boolean escaped() {
        return escaped;
    }

    boolean integral() {
        return integral;
    }

    /** The next byte after any whitespace, not consumed; -1 at the end of the body. */
    int peek() {
        int p = position;
        if (p < end) { // at most 35 bytes of bytecode, which C1, the daemon's compiler, inlines: the usual case
            int b = json[p];
            if (b > ' ') {
                return b;
            }
        }
        return skipWhitespace();
    }

    private int skipWhitespace() {
        byte[] json = this.json;
        int end = this.end;
        int p = position;
        while (p < end) {
            byte b = json[p];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                position = p;
                return b & 0xFF;
            }
            p++;
        }
        position = p;
        return -1;
    }

    /** Consumes the '{' or '[' that {@link #peek} saw, one level deeper. */
    void enter() throws MalformedRequestException {
        position++;
        if (++depth > MAX_NESTING) {
            throw new MalformedRequestException("JSON nested too deeply");
        }
    }

    /**
     * Whether another member or element follows in the object or array entered last, its comma consumed; at its
     * closing {@code close} consumes that and returns false. {@code first}: nothing read since {@link #enter}.
     */
    boolean next(char close, boolean first) throws MalformedRequestException {
        int c = peek();
        if (c == close) {
            position++;
            depth--;
            return false;
        }
        if (first) {
            return true;
        }
        if (c != ',') {
            throw syntax("expected ',' or '" + close + "'");
        }
        position++;
        return true;
    }

    /**
     * Reads a key and its colon. A key of ASCII without escapes, as OTLP's are, is left as its bytes; any other is
     * checked as a string, {@link #escaped} true: to be decoded.
     */
    void name() throws MalformedRequestException {
        if (peek() != '"') {
            throw syntax("expected a field name");
        }
        byte[] json = this.json;
        int end = this.end;
        int p = position + 1;
        while (true) {
            if (p >= end) {
                throw syntax("unterminated string");
            }
            byte b = json[p];
            if (b == '"') {
                start = position + 1;
                stop = p;
                escaped = false;
                if (p + 1 < end && json[p + 1] == ':') { // the usual case: no whitespace before the colon
                    position = p + 2;
                    return;
                }
                position = p + 1;
                break;
            }
            if (b < 0x20 || b == '\\') { // an escape, a control character or a byte of a multi-byte character
                string();
                escaped = true;
                break;
            }
            p++;
        }
        if (peek() != ':') {
            throw syntax("expected ':' after a field name");
        }
        position++;
    }

    /** Reads a string whose opening quote {@link #peek} saw: checks its escapes and UTF-8, decodes neither. */
    void string() throws MalformedRequestException {
        byte[] json = this.json;
        int end = this.end;
        int p = position + 1;
        boolean anyEscape = false;
        while (true) {
            if (p >= end) {
                throw syntax("unterminated string");
            }
            byte b = json[p];
            if (b == '"') {
                break;
            }
            if (b >= 0x20 && b != '\\') {
                p++;
            } else if (b == '\\') {
                p = escape(p);
                anyEscape = true;
            } else if (b < 0) {
                p = utf8(p);
            } else {
                position = p;
                throw syntax("control character in a string: escape it");
            }
        }
        start = position + 1;
        stop = p;
        escaped = anyEscape;
        position = p + 1;
    }

    /** Checks the escape at p; returns where the string goes on after it. */
    private int escape(int p) throws MalformedRequestException {
        if (p + 1 >= end) {
            throw syntax("unterminated string");
        }
        switch (json[p + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return p + 2;
            }
            case 'u' -> {
                if (p + 6 > end) {
                    throw syntax("unterminated string");
                }
                for (int i = p + 2; i < p + 6; i++) {
                    if (Character.digit(json[i], 16) < 0) { // a negative byte is no digit either
                        position = i;
                        throw syntax("expected 4 hex digits after \\u");
                    }
                }
                return p + 6;
            }
            default -> {
                position = p;
                throw syntax("unknown escape in a string");
            }
        }
    }

    /** Checks the UTF-8 sequence at p (RFC 3629: shortest form, no surrogates); returns where the next starts. */
    private int utf8(int p) throws MalformedRequestException {
        int lead = json[p] & 0xFF;
        int length;
        int min = 0x80;
        int max = 0xBF; // the range of the second byte, narrower after some lead bytes
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            min = lead == 0xE0 ? 0xA0 : 0x80;
            max = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            min = lead == 0xF0 ? 0x90 : 0x80;
            max = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            position = p;
            throw syntax("invalid UTF-8");
        }
        if (p + length > end) {
            position = p;
            throw syntax("invalid UTF-8");
        }
        int second = json[p + 1] & 0xFF;
        boolean valid = second >= min && second <= max;
        for (int i = p + 2; i < p + length; i++) {
            valid &= (json[i] & 0xC0) == 0x80;
        }
        if (!valid) {
            position = p;
            throw syntax("invalid UTF-8");
        }
        return p + length;
    }

    /** Reads a number whose first byte {@link #peek} saw, by JSON's grammar: no leading zeros, '+', or bare '.'. */
    void number() throws MalformedRequestException {
        byte[] json = this.json;
        int p = position;
        if (p < end && json[p] == '-') {
            p++;
        }
        if (p < end && json[p] == '0') {
            p++;
        } else if (p < end && json[p] >= '1' && json[p] <= '9') {
            p = digits(p);
        } else {
            throw syntax("invalid number");
        }
        boolean whole = true;
        if (p < end && json[p] == '.') {
            whole = false;
            if (++p >= end || json[p] < '0' || json[p] > '9') {
                throw syntax("invalid number: a digit must follow the decimal point");
            }
            p = digits(p);
        }
        if (p < end && (json[p] == 'e' || json[p] == 'E')) {
            whole = false;
            if (++p < end && (json[p] == '+' || json[p] == '-')) {
                p++;
            }
            if (p >= end || json[p] < '0' || json[p] > '9') {
                throw syntax("invalid number: a digit must follow the exponent");
            }
            p = digits(p);
        }
        if (p - position > MAX_NUMBER_LENGTH) {
            throw syntax("number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        start = position;
        stop = p;
        integral = whole;
        position = p;
    }

    private int digits(int p) {
        while (p < end && json[p] >= '0' && json[p] <= '9') {
            p++;
        }
        return p;
    }

    /** Reads {@code true} or {@code false}, which {@link #peek} saw begin. */
    boolean bool() throws MalformedRequestException {
        byte[] json = this.json;
        int p = position;
        if (p + 4 <= end && json[p] == 't' && json[p + 1] == 'r' && json[p + 2] == 'u' && json[p + 3] == 'e') {
            position = p + 4;
            return true;
        }
        if (p + 5 <= end && json[p] == 'f' && json[p + 1] == 'a' && json[p + 2] == 'l' && json[p + 3] == 's'
                && json[p + 4] == 'e') {
            position = p + 5;
            return false;
        }
        throw syntax("invalid literal");
    }

    /** Reads {@code null}, which {@link #peek} saw begin. */
    void nullValue() throws MalformedRequestException {
        byte[] json = this.json;
        int p = position;
        if (p + 4 <= end && json[p] == 'n' && json[p + 1] == 'u' && json[p + 2] == 'l' && json[p + 3] == 'l') {
            position = p + 4;
            return;
        }
        throw syntax("invalid literal");
    }

    /** Reads a value of any kind, checked as strictly as one that is used: how unknown fields are ignored. */
    void skipValue() throws MalformedRequestException {
        int c = peek();
        switch (c) {
            case '{' -> {
                enter();
                for (boolean first = true; next('}', first); first = false) {
                    name();
                    skipValue();
                }
            }
            case '[' -> {
                enter();
                for (boolean first = true; next(']', first); first = false) {
                    skipValue();
                }
            }
            case '"' -> string();
            case 't', 'f' -> bool();
            case 'n' -> nullValue();
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw syntax(c < 0 ? "unexpected end of the body" : "expected a value");
                }
            }
        }
    }

    /** The last string's value, its escapes decoded. */
    String text() {
        if (!escaped) {
            return new String(json, start, stop - start, StandardCharsets.UTF_8);
        }
        var decoded = new WireWriter(stop - start);
        unescape(decoded);
        return new String(decoded.bytes(), 0, decoded.size(), StandardCharsets.UTF_8);
    }

    /** The last number's characters. */
    String numberText() {
        return new String(json, start, stop - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes the last string's value as UTF-8, its escapes decoded: a surrogate pair escaped as two {@code \\u}
     * becomes its one character, a lone surrogate '?' (as {@link WireWriter#string(String)} writes one).
     */
    void unescape(WireWriter out) {
        byte[] json = this.json;
        for (int p = start; p < stop; ) {
            byte b = json[p];
            if (b != '\\') {
                out.rawByte(b);
                p++;
                continue;
            }
            byte kind = json[p + 1];
            p += 2;
            switch (kind) {
                case 'b' -> out.rawByte('\b');
                case 'f' -> out.rawByte('\f');
                case 'n' -> out.rawByte('\n');
                case 'r' -> out.rawByte('\r');
                case 't' -> out.rawByte('\t');
                case 'u' -> {
                    int c = hex4(p);
                    p += 4;
                    if (Character.isHighSurrogate((char) c) && p + 6 <= stop && json[p] == '\\' && json[p + 1] == 'u'
                            && Character.isLowSurrogate((char) hex4(p + 2))) {
                        out.codePoint(Character.toCodePoint((char) c, (char) hex4(p + 2)));
                        p += 6;
                    } else {
                        out.codePoint(Character.isSurrogate((char) c) ? '?' : c);
                    }
                }
                default -> out.rawByte(kind); // '"', '\\' or '/'
            }
        }
    }

    private int hex4(int p) {
        int value = 0;
        for (int i = p; i < p + 4; i++) {
            value = value << 4 | Character.digit(json[i], 16);
        }
        return value;
    }

    /** A syntax error at the current position. */
    MalformedRequestException syntax(String problem) {
        return new MalformedRequestException("invalid JSON: " + problem + " at byte " + position);
    }
}
