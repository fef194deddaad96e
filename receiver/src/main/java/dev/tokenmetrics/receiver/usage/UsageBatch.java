package dev.tokenmetrics.receiver.usage;

import java.util.List;

/** Everything one export contributes: the aggregator's input, and what the journal records. */
public record UsageBatch(List<UsagePoint> points, List<ApiRequest> apiRequests, List<SessionResource> resources) {

    public static final UsageBatch EMPTY = new UsageBatch(List.of(), List.of(), List.of());

    public UsageBatch {
        points = List.copyOf(points);
        apiRequests = List.copyOf(apiRequests);
        resources = List.copyOf(resources);
    }

    public boolean isEmpty() {
        return points.isEmpty() && apiRequests.isEmpty() && resources.isEmpty();
    }
}
