package dev.tokenmetrics.receiver.prometheus;

import java.util.List;

/**
 * One sample of a family: the suffix it adds to the family's name ({@code _total} for a counter, {@code _bucket},
 * {@code _sum}, {@code _count} for a histogram, empty for a gauge), its labels as name, value, name, value..., and
 * its value.
 */
public record Sample(String suffix, List<String> labels, double value) {

    public Sample {
        labels = List.copyOf(labels);
        if (labels.size() % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs: " + labels);
        }
    }

    public static Sample total(double value, String... labels) {
        return new Sample("_total", List.of(labels), value);
    }

    public static Sample gauge(double value, String... labels) {
        return new Sample("", List.of(labels), value);
    }
}
