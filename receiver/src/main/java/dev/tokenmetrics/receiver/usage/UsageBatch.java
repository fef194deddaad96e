package dev.tokenmetrics.receiver.usage;

import java.util.List;

/**
 * Everything one export contributes: the aggregator's input, and what the journal records. {@code receivedNanos} is
 * when the receiver read the export (epoch nanoseconds), recorded with it so that replay judges the export's times
 * as they were judged when it arrived; {@link #RECEIVED_UNKNOWN} for a batch recorded before receive times were.
 */
public record UsageBatch(List<UsagePoint> points, List<ApiRequest> apiRequests, List<SessionResource> resources,
                         long receivedNanos) {

    /** Zero, as OTLP spells an unset time: its points' times are taken as they come. */
    public static final long RECEIVED_UNKNOWN = 0;
    public static final UsageBatch EMPTY = new UsageBatch(List.of(), List.of(), List.of());

    public UsageBatch {
        points = List.copyOf(points);
        apiRequests = List.copyOf(apiRequests);
        resources = List.copyOf(resources);
    }

    /** A batch whose arrival is not known. */
    public UsageBatch(List<UsagePoint> points, List<ApiRequest> apiRequests, List<SessionResource> resources) {
        this(points, apiRequests, resources, RECEIVED_UNKNOWN);
    }

    public boolean isEmpty() {
        return points.isEmpty() && apiRequests.isEmpty() && resources.isEmpty();
    }
}
