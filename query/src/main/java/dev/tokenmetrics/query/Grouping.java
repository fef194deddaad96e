package dev.tokenmetrics.query;

import java.util.Locale;

/** What a report's rows are: a report name on the command line. */
public enum Grouping {
    DAILY("date"), WEEKLY("week"), MONTHLY("month"), SESSION("session"), BLOCKS("block"), PROJECT("project"),
    BRANCH("branch"), MODEL("model"), AGENT("agent"), HOURLY("hour");

    private final String column;

    Grouping(String column) {
        this.column = column;
    }

    /** The name of the key column in tables and CSV. */
    public String column() {
        return column;
    }

    public String command() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for reports whose rows are periods of time, in the report's time zone. */
    public boolean byTime() {
        return this == DAILY || this == WEEKLY || this == MONTHLY || this == HOURLY;
    }

    public static Grouping of(String command) {
        for (Grouping grouping : values()) {
            if (grouping.command().equals(command)) {
                return grouping;
            }
        }
        return null;
    }
}
