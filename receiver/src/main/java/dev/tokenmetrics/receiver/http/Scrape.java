package dev.tokenmetrics.receiver.http;

/**
 * Renders {@code GET /metrics} for Prometheus. It may block (it reads the ledger), so {@link MetricsHandler} calls
 * it off the event loops.
 */
@FunctionalInterface
public interface Scrape {

    /** The page for a scraper whose Accept header is {@code accept} (null when absent). */
    Scraped render(String accept);

    record Scraped(String contentType, byte[] body) {
    }
}
