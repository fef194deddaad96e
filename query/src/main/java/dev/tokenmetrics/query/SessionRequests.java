package dev.tokenmetrics.query;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A session's requests, for the dashboard's drill-down: the most recent {@code limit} of them in time order, and how
 * many earlier ones were left out. Streams the ledger's rows through a window of {@code limit}, so that a long
 * session costs no more memory than that.
 */
public final class SessionRequests {

    /** One request: when, which model, its tokens and cost. */
    public record Request(Instant time, String model, Usage usage) {
    }

    public record Answer(List<Request> requests, long omitted) {
        public Answer {
            requests = List.copyOf(requests);
        }
    }

    private SessionRequests() {
    }

    public static Answer run(UsageLedger ledger, Query query, int limit) throws LedgerException {
        var window = new ArrayDeque<Request>(Math.min(limit, 1024));
        long[] omitted = {0};
        ledger.requests(query.period(), query.filters(), request -> {
            if (window.size() == limit) {
                window.removeFirst();
                omitted[0]++;
            }
            window.addLast(new Request(Instant.ofEpochMilli(request.timeMs()), request.model(), request.usage()));
        });
        return new Answer(List.copyOf(window), omitted[0]);
    }
}
