package dev.tokenmetrics.receiver.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is wrong with the daemon right now, one line per part, for {@code /health}: a failure that only shows in a
 * log is a failure nobody sees. A part reports when it fails and clears when it works again; what recovery could not
 * read stays reported for the daemon's life. Thread-safe.
 */
public final class Problems {

    private final Map<String, String> current = new LinkedHashMap<>();

    /** Sets the part's problem; true when it is new or changed, which is when it is worth a log line. */
    public synchronized boolean report(String part, String problem) {
        return !problem.equals(current.put(part, problem));
    }

    /** Clears the part's problem; true when there was one. */
    public synchronized boolean clear(String part) {
        return current.remove(part) != null;
    }

    public synchronized List<String> current() {
        var lines = new ArrayList<String>(current.size());
        current.forEach((part, problem) -> lines.add(part + ": " + problem));
        return lines;
    }
}
