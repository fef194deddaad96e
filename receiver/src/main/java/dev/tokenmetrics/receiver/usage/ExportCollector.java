package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one export yields while it is read: its usage, the sessions it names and the items rejected. Mutable, made
 * for one call of the extractor and confined to it, so that the extractor itself stays stateless.
 */
final class ExportCollector {

    private static final int MAX_REPORTED_ERRORS = 3;

    private final List<UsagePoint> points = new ArrayList<>();
    private final List<ApiRequest> apiRequests = new ArrayList<>();
    private final Map<String, SessionResource> resources = new LinkedHashMap<>();
    private final Set<String> reasons = new LinkedHashSet<>();
    private long rejected;

    void point(UsagePoint point) {
        points.add(point);
    }

    void apiRequest(ApiRequest apiRequest) {
        apiRequests.add(apiRequest);
    }

    /** Whether the export has named this session before. */
    boolean knowsSession(String sessionId) {
        return resources.containsKey(sessionId);
    }

    /**
     * Notes where a session ran, from the first of its items in the export; later ones, and items without a session,
     * add nothing. The resource is described only then, not for every item.
     */
    void session(String sessionId, List<Attribute> resource, String terminal) throws MalformedRequestException {
        if (!sessionId.isEmpty() && !resources.containsKey(sessionId)) {
            resources.put(sessionId, new SessionResource(sessionId, Attributes.describe(resource, terminal)));
        }
    }

    /** Counts rejected items; the first few distinct reasons are told to the client in the partial success. */
    void reject(long items, String reason) {
        rejected += items;
        if (reasons.size() < MAX_REPORTED_ERRORS) {
            reasons.add(reason);
        }
    }

    Extraction extraction(long receivedNanos) {
        return new Extraction(new UsageBatch(points, apiRequests, List.copyOf(resources.values()), receivedNanos),
                rejected, String.join("; ", reasons));
    }
}
