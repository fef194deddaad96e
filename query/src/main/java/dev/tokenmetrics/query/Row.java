package dev.tokenmetrics.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One line of a report: its key (a day, a session, a branch...), its totals, the same per model (in model-name
 * order), when its first and last requests were made, and (session rows) the projects and branches it touched.
 */
public record Row(String key, Usage usage, Map<String, Usage> models, Instant first, Instant last,
                  List<String> projects, List<String> branches) {

    public Row {
        models = SortedModels.of(models); // a copy, unless it is one already (immutable)
        projects = List.copyOf(projects);
        branches = List.copyOf(branches);
    }

    /** The models, most expensive (then most tokens) first. */
    public List<Map.Entry<String, Usage>> modelsByCost() {
        return ((SortedModels) models).byCost();
    }

    /** The model names, sorted, as ccusage's {@code modelsUsed}. */
    public List<String> modelNames() {
        return ((SortedModels) models).names();
    }
}
