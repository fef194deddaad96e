package dev.tokenmetrics.receiver.prometheus;

import java.util.List;

/**
 * One metric family as Prometheus sees it: a base name (without {@code _total}; the unit suffix included, as the
 * OpenTelemetry-to-Prometheus conventions write it), its type, unit, help and samples.
 */
public record Family(String name, Type type, String unit, String help, List<Sample> samples) {

    public enum Type {
        COUNTER("counter"), GAUGE("gauge"), HISTOGRAM("histogram");

        final String text;

        Type(String text) {
            this.text = text;
        }
    }

    public Family {
        samples = List.copyOf(samples);
    }

    public static Family counter(String name, String unit, String help, List<Sample> samples) {
        return new Family(name, Type.COUNTER, unit, help, samples);
    }

    public static Family gauge(String name, String unit, String help, List<Sample> samples) {
        return new Family(name, Type.GAUGE, unit, help, samples);
    }
}
