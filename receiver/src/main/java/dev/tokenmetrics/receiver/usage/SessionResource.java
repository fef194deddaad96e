package dev.tokenmetrics.receiver.usage;

import java.util.Map;

/** The attributes that say where a session ran: its resource (service.version, project, git.branch…) and terminal. */
public record SessionResource(String sessionId, Map<String, String> attributes) {
    public SessionResource {
        attributes = Map.copyOf(attributes);
    }
}
