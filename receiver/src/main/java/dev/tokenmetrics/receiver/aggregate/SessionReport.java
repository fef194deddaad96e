package dev.tokenmetrics.receiver.aggregate;

import java.time.Instant;
import java.util.Map;

/** One session as written to the metrics file. */
public record SessionReport(
        String sessionId,
        Usage usage,
        Map<String, Usage> models,
        String lastModel,
        Instant firstActivity,
        Instant lastActivity,
        long tokensPerMinute,
        long apiRequests,
        Map<String, String> resource) {

    public SessionReport {
        models = Map.copyOf(models);
        resource = Map.copyOf(resource);
    }
}
