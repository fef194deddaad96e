package dev.tokenmetrics.query;

import java.math.BigDecimal;
import java.util.List;

/** A small streaming JSON writer, two-space indented like ccusage's output; strings escaped per RFC 8259. */
public final class Json {
    private final StringBuilder out = new StringBuilder();
    private int depth;
    private boolean first = true;

    public Json object() {
        return open('{');
    }

    public Json object(String name) {
        return name(name).open('{');
    }

    public Json array(String name) {
        return name(name).open('[');
    }

    public Json end() {
        char opened = stack.charAt(stack.length() - 1);
        stack.setLength(stack.length() - 1);
        depth--;
        if (!first) {
            newline();
        }
        out.append(opened == '{' ? '}' : ']');
        first = false;
        return this;
    }

    public Json field(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    public Json field(String name, long value) {
        name(name).out.append(value);
        return this;
    }

    public Json field(String name, double value) {
        name(name).out.append(Double.isFinite(value) ? number(value) : "null");
        return this;
    }

    public Json field(String name, boolean value) {
        name(name).out.append(value);
        return this;
    }

    /** A decimal, written exactly; null for an unknown amount. */
    public Json field(String name, BigDecimal value) {
        name(name).out.append(value == null ? "null" : value.toPlainString());
        return this;
    }

    public Json field(String name, List<String> values) {
        name(name).open('[');
        for (String value : values) {
            element();
            string(value);
        }
        return end();
    }

    /** The start of an unnamed object inside an array. */
    public Json element() {
        if (!first) {
            out.append(',');
        }
        newline();
        first = false;
        return this;
    }

    public Json open(char bracket) {
        out.append(bracket);
        stack.append(bracket);
        depth++;
        first = true;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** The brackets open, innermost last. */
    private final StringBuilder stack = new StringBuilder();

    private Json name(String name) {
        element();
        string(name);
        out.append(": ");
        return this;
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append("  ");
        }
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** Appends the string quoted, escaped where JSON needs it; what needs nothing goes in runs, not char by char. */
    private void string(String value) {
        out.append('"');
        int run = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != '\u2028' && c != '\u2029') {
                continue;
            }
            out.append(value, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        out.append(value, run, value.length());
        out.append('"');
    }
}
