package dev.tokenmetrics.query;

/**
 * Which rows a report counts; a null field does not filter. A project matches the launcher's {@code project}
 * attribute or the working directory, exactly or by its last path segment.
 */
public record Filters(String project, String branch, String model, String session) {
    public static final Filters NONE = new Filters(null, null, null, null);
}
