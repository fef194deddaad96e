package dev.tokenmetrics.query;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A row read as one text column: its integers in decimal, then its texts back to back, split by their byte
 * lengths, which the row carries (so a text may hold any character, separators included). sqlite-jdbc costs a JNI
 * call and a lambda for every column it reads, and for a text a direct buffer, two byte arrays and a String: a year's
 * session report reads 10,000 rows of 14 columns. Read as one column, a row costs one call and one array, and each
 * text column keeps its last few distinct values, so that a value met again (a session's next row, the few models,
 * projects and branches) is the same String, not another. Not thread-safe: one per query.
 */
final class PackedRow {

    /** Distinct values kept per text column: a year's models, projects and branches are a handful each. */
    private static final int KEPT = 16;

    private final long[] numbers;
    private final Texts[] texts;
    private final int[] lengths;

    /** A row of {@code numbers} integers (at least one) and {@code texts} texts (at least one). */
    PackedRow(int numbers, int texts) {
        this.numbers = new long[numbers];
        this.texts = new Texts[texts];
        this.lengths = new int[texts];
        for (int i = 0; i < texts; i++) {
            this.texts[i] = new Texts();
        }
    }

    /**
     * The SQL expression of such a row: the integers (SQL expressions of integer values, never NULL), comma-separated,
     * then the byte length of each text but the last, then a semicolon and the texts (expressions of text values,
     * never NULL).
     */
    static String sql(List<String> numbers, List<String> texts) {
        var fields = new java.util.ArrayList<>(numbers);
        for (String text : texts.subList(0, texts.size() - 1)) {
            fields.add("length(CAST(" + text + " AS BLOB))");
        }
        return String.join(" || ',' || ", fields) + " || ';' || " + String.join(" || ", texts);
    }

    /** Reads a row as {@link #sql} gives it; false when it is not one (a NULL, a real, a length past its end). */
    boolean read(byte[] row) {
        if (row == null) {
            return false;
        }
        int at = 0;
        for (int i = 0; i < numbers.length + texts.length - 1; i++) {
            boolean negative = at < row.length && row[at] == '-';
            if (negative) {
                at++;
            }
            int start = at;
            long value = 0;
            while (at < row.length && row[at] >= '0' && row[at] <= '9') {
                value = 10 * value + (row[at++] - '0');
            }
            // 19 digits may overflow, into a negative value
            if (at == start || at - start > 19 || value < 0 || at == row.length || row[at++] != (i == numbers.length
                    + texts.length - 2 ? ';' : ',')) {
                return false;
            }
            if (i < numbers.length) {
                numbers[i] = negative ? -value : value;
            } else {
                lengths[i - numbers.length] = (int) value;
            }
        }
        for (int i = 0; i < texts.length; i++) {
            int length = i < texts.length - 1 ? lengths[i] : row.length - at;
            if (length < 0 || length > row.length - at) {
                return false;
            }
            texts[i].read(row, at, at + length);
            at += length;
        }
        return true;
    }

    long number(int index) {
        return numbers[index];
    }

    String text(int index) {
        return texts[index].value;
    }

    /** The text, as a list of none (an empty text) or one: the same list each time the value comes again. */
    List<String> textAsList(int index) {
        return texts[index].list;
    }

    /** One text column's value, and its last distinct values, most recent first. */
    private static final class Texts {
        private final byte[][] bytes = new byte[KEPT][];
        private final String[] values = new String[KEPT];
        private final List<?>[] lists = new List<?>[KEPT];
        private int kept;
        private String value;
        private List<String> list;

        @SuppressWarnings("unchecked")
        void read(byte[] row, int from, int to) {
            for (int i = 0; i < kept; i++) {
                byte[] known = bytes[i];
                if (Arrays.equals(known, 0, known.length, row, from, to)) {
                    value = values[i];
                    list = (List<String>) lists[i];
                    if (i > 0) { // most recent first: a session's rows come together
                        keepFirst(i, known);
                    }
                    return;
                }
            }
            value = new String(row, from, to - from, StandardCharsets.UTF_8);
            list = value.isEmpty() ? List.of() : List.of(value);
            kept = Math.min(kept + 1, KEPT);
            keepFirst(kept - 1, Arrays.copyOfRange(row, from, to));
        }

        /** Moves the values before {@code slot} one down, over it, and puts the current one first. */
        private void keepFirst(int slot, byte[] encoded) {
            System.arraycopy(bytes, 0, bytes, 1, slot);
            System.arraycopy(values, 0, values, 1, slot);
            System.arraycopy(lists, 0, lists, 1, slot);
            bytes[0] = encoded;
            values[0] = value;
            lists[0] = list;
        }
    }
}
