package dev.tokenmetrics.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One line of a report: its key (a day, a session, a branch...), its totals, the same per model, when its first
 * and last requests were made, and (session rows) the projects and branches it touched.
 */
public record Row(String key, Usage usage, Map<String, Usage> models, Instant first, Instant last,
                  List<String> projects, List<String> branches) {

    public Row {
        models = Map.copyOf(models);
        projects = List.copyOf(projects);
        branches = List.copyOf(branches);
    }

    /** The models, most expensive (then most tokens) first. */
    public List<Map.Entry<String, Usage>> modelsByCost() {
        return models.entrySet().stream().sorted((a, b) -> {
            int byCost = Long.compare(b.getValue().exactPicos() + b.getValue().estimatedPicos(),
                    a.getValue().exactPicos() + a.getValue().estimatedPicos());
            if (byCost != 0) {
                return byCost;
            }
            int byTokens = Long.compare(b.getValue().totalTokens(), a.getValue().totalTokens());
            return byTokens != 0 ? byTokens : a.getKey().compareTo(b.getKey());
        }).toList();
    }

    /** The model names, sorted, as ccusage's {@code modelsUsed}. */
    public List<String> modelNames() {
        return models.keySet().stream().sorted().toList();
    }
}
