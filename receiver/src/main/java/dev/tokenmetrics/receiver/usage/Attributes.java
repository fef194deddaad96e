package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attributes Claude Code's usage is labelled with, looked up by their UTF-8 keys on the wire, so that no other
 * attribute is decoded. Values are capped in length: they end up in memory and in the metrics file.
 */
final class Attributes {

    static final String SESSION_ID = "session.id";
    static final String MODEL = "model";
    static final String TYPE = "type";
    static final String TERMINAL_TYPE = "terminal.type";
    static final String EVENT_NAME = "event.name";
    static final String EVENT_SEQUENCE = "event.sequence";
    static final String UNKNOWN_MODEL = "unknown";
    static final int MAX_RESOURCE_ATTRIBUTES = 32;
    static final int MAX_LENGTH = 256;

    static final byte[] SESSION_ID_KEY = utf8(SESSION_ID);
    static final byte[] MODEL_KEY = utf8(MODEL);
    static final byte[] TYPE_KEY = utf8(TYPE);
    static final byte[] TERMINAL_TYPE_KEY = utf8(TERMINAL_TYPE);
    static final byte[] EVENT_NAME_KEY = utf8(EVENT_NAME);
    static final byte[] EVENT_SEQUENCE_KEY = utf8(EVENT_SEQUENCE);

    private Attributes() {
    }

    /** The first attribute with this key, as text; the fallback when there is none or it is empty. */
    static String find(List<Attribute> attributes, byte[] key, String fallback) throws MalformedRequestException {
        for (int i = 0; i < attributes.size(); i++) {
            Attribute attribute = attributes.get(i);
            if (attribute.keyIs(key)) {
                String value = scalar(attribute);
                return value != null && !value.isEmpty() ? value : fallback;
            }
        }
        return fallback;
    }

    /** A scalar value as text, cut to {@link #MAX_LENGTH} characters; null for arrays, maps and bytes. */
    static String scalar(Attribute attribute) throws MalformedRequestException {
        String text = attribute.scalar();
        return text == null || text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH);
    }

    /**
     * Where a session ran: the resource's scalar attributes (the first {@link #MAX_RESOURCE_ATTRIBUTES}, keys no
     * longer than {@link #MAX_LENGTH}), plus the terminal, which Claude Code puts on each item rather than on the
     * resource.
     */
    static Map<String, String> describe(List<Attribute> resource, String terminal) throws MalformedRequestException {
        var attributes = new LinkedHashMap<String, String>();
        for (Attribute attribute : resource) {
            if (attributes.size() < MAX_RESOURCE_ATTRIBUTES) {
                String key = attribute.key();
                String value = scalar(attribute);
                if (key.length() <= MAX_LENGTH && value != null) {
                    attributes.put(key, value);
                }
            }
        }
        if (terminal != null) {
            attributes.put(TERMINAL_TYPE, terminal);
        }
        return attributes;
    }

    /**
     * A data point's labels, read in one pass over its attributes; of a key sent twice, the last non-empty value
     * counts.
     * Mutable and reused from point to point, so that labelling a point allocates only its values.
     */
    static final class Labels {
        private String sessionId;
        private String model;
        private String type;
        private String terminal;

        Labels() {
            clear();
        }

        void read(List<Attribute> attributes) throws MalformedRequestException {
            clear();
            for (int i = 0; i < attributes.size(); i++) {
                Attribute attribute = attributes.get(i);
                boolean session = attribute.keyIs(SESSION_ID_KEY);
                boolean model = !session && attribute.keyIs(MODEL_KEY);
                boolean type = !session && !model && attribute.keyIs(TYPE_KEY);
                boolean terminal = !session && !model && !type && attribute.keyIs(TERMINAL_TYPE_KEY);
                if (!(session || model || type || terminal)) {
                    continue;
                }
                String value = scalar(attribute);
                if (value == null || value.isEmpty()) {
                    continue;
                }
                if (session) {
                    sessionId = value;
                } else if (model) {
                    this.model = value;
                } else if (type) {
                    this.type = value;
                } else {
                    this.terminal = value;
                }
            }
        }

        /** Empty when the client sends none (Claude Code with OTEL_METRICS_INCLUDE_SESSION_ID=false). */
        String sessionId() {
            return sessionId;
        }

        /** {@link #UNKNOWN_MODEL} when there is none. */
        String model() {
            return model;
        }

        /** The token type's attribute value; empty when there is none. */
        String type() {
            return type;
        }

        /** Null when there is none. */
        String terminal() {
            return terminal;
        }

        private void clear() {
            sessionId = "";
            model = UNKNOWN_MODEL;
            type = "";
            terminal = null;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
