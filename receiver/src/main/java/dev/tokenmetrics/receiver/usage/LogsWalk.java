package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.usage.OtlpTags.LOG_ATTRIBUTES;
import static dev.tokenmetrics.receiver.usage.OtlpTags.LOG_BODY;
import static dev.tokenmetrics.receiver.usage.OtlpTags.LOG_OBSERVED_TIME;
import static dev.tokenmetrics.receiver.usage.OtlpTags.LOG_RECORDS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.LOG_TIME;
import static dev.tokenmetrics.receiver.usage.OtlpTags.RESOURCE_LOGS;
import static dev.tokenmetrics.receiver.usage.OtlpTags.RESOURCE_LOGS_RESOURCE;
import static dev.tokenmetrics.receiver.usage.OtlpTags.SCOPE_LOGS;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import dev.tokenmetrics.receiver.otlp.WireReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks an ExportLogsServiceRequest for Claude Code's {@code claude_code.api_request} events, one per API call,
 * known by their event.name attribute or, from releases that sent none, their body. Made for one export: what it
 * finds goes to the export's {@link ExportCollector}.
 */
final class LogsWalk {

    private static final byte[] API_REQUEST_BODY = "claude_code.api_request".getBytes(StandardCharsets.UTF_8);

    private final ExportCollector out;
    /** One log record's attributes, reused from record to record. */
    private final List<Attribute> attributes = new ArrayList<>();

    LogsWalk(ExportCollector out) {
        this.out = out;
    }

    void request(WireReader request) throws MalformedRequestException {
        while (request.next()) {
            if (request.tag() != RESOURCE_LOGS) {
                request.skip();
                continue;
            }
            ResourceEntry entry = ResourceEntry.read(request.field(), RESOURCE_LOGS_RESOURCE, SCOPE_LOGS);
            for (WireReader scope : entry.scopes()) {
                while (scope.next()) {
                    if (scope.tag() == LOG_RECORDS) {
                        logRecord(scope.field(), entry.attributes());
                    } else {
                        scope.skip();
                    }
                }
            }
        }
    }

    private void logRecord(WireReader log, List<Attribute> resource) throws MalformedRequestException {
        attributes.clear();
        long timeNanos = 0;
        long observedNanos = 0;
        Attribute body = null;
        while (log.next()) {
            int tag = log.tag();
            if (tag == LOG_ATTRIBUTES) {
                attributes.add(Attribute.read(log));
            } else if (tag == LOG_TIME) {
                timeNanos = log.fixed64();
            } else if (tag == LOG_OBSERVED_TIME) {
                observedNanos = log.fixed64();
            } else if (tag == LOG_BODY) {
                body = Attribute.value(log);
            } else {
                log.skip();
            }
        }
        boolean apiRequest = "api_request".equals(Attributes.find(attributes, Attributes.EVENT_NAME_KEY, ""))
                || (body != null && body.isString(API_REQUEST_BODY));
        if (!apiRequest) {
            return;
        }
        String sessionId = Attributes.find(attributes, Attributes.SESSION_ID_KEY, "");
        if (sessionId.isEmpty()) {
            return; // nothing to attribute it to
        }
        long eventKey = Hashes.event(sessionId, Attributes.find(attributes, Attributes.EVENT_SEQUENCE_KEY, ""),
                timeNanos, observedNanos);
        out.apiRequest(new ApiRequest(sessionId, Attributes.find(attributes, Attributes.MODEL_KEY,
                Attributes.UNKNOWN_MODEL), timeNanos != 0 ? timeNanos : observedNanos, eventKey,
                ApiCalls.read(attributes, resource)));
        if (!out.knowsSession(sessionId)) {
            out.session(sessionId, resource, Attributes.find(attributes, Attributes.TERMINAL_TYPE_KEY, null));
        }
    }
}
