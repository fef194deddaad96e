package dev.tokenmetrics.query.command;

/** How a report is written. */
public enum Format {
    TABLE, JSON, CSV, HTML
}
