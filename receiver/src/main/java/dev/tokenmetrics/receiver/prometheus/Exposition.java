package dev.tokenmetrics.receiver.prometheus;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes families in Prometheus' text format (0.0.4) or, when the scraper asks for it, OpenMetrics 1.0. The two
 * differ in what this receiver uses only in that OpenMetrics names a counter's family without {@code _total}, states
 * units, and ends with {@code # EOF}.
 */
public final class Exposition {

    public static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    public static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private Exposition() {
    }

    /** Whether an Accept header asks for OpenMetrics (Prometheus sends it first, text as a fallback). */
    public static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.contains("application/openmetrics-text");
    }

    public static byte[] write(List<Family> families, boolean openMetrics) {
        var out = new StringBuilder(4096);
        for (Family family : families) {
            if (family.samples().isEmpty() && !openMetrics) {
                continue;
            }
            String head = openMetrics || family.type() != Family.Type.COUNTER ? family.name() : family.name() + "_total";
            out.append("# HELP ").append(head).append(' ');
            escape(family.help(), false, out);
            out.append('\n');
            out.append("# TYPE ").append(head).append(' ')
                    .append(family.type().text).append('\n');
            if (openMetrics && family.unit() != null && family.name().endsWith("_" + family.unit())) {
                out.append("# UNIT ").append(head).append(' ').append(family.unit()).append('\n');
            }
            for (Sample sample : family.samples()) {
                out.append(family.name()).append(sample.suffix());
                List<String> labels = sample.labels();
                if (!labels.isEmpty()) {
                    out.append('{');
                    for (int i = 0; i < labels.size(); i += 2) {
                        if (i > 0) {
                            out.append(',');
                        }
                        out.append(labels.get(i)).append("=\"");
                        escape(labels.get(i + 1), true, out);
                        out.append('"');
                    }
                    out.append('}');
                }
                out.append(' ').append(number(sample.value())).append('\n');
            }
        }
        if (openMetrics) {
            out.append("# EOF\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whole numbers without a fraction (exact up to 2^53), others as Java's shortest round-trip form. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 9.007199254740992E15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** Backslash and newline escaped, as both formats require; a label value's double quote too. */
    private static void escape(String text, boolean quoted, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(quoted ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }
}
