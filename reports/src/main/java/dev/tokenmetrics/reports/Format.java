package dev.tokenmetrics.reports;

/** How a report is written. */
public enum Format {
    TABLE, JSON, CSV, HTML
}
