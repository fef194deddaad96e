package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/team as a team lead runs it, checked without a container engine (TeamCollectorContainersTest runs it
 * where one exists): the collector's config is YAML whose pipelines name only components it defines, each of a
 * type the contrib distribution ships; compose mounts files that exist; Prometheus scrapes the collector's exporter;
 * the team dashboard reads series that the collector produces from what the receivers forward.
 */
class TeamDeployTest {

    static final Path TEAM = Path.of("").toAbsolutePath().getParent().resolve("deploy/team");

    /**
     * Component types the config may use, each in the contrib distribution's manifest
     * (distributions/otelcol-contrib/manifest.yaml in opentelemetry-collector-releases, read at 0.135.0; all of
     * them were there before the pinned 0.120.0). TeamCollectorContainersTest runs the image itself.
     */
    private static final Map<String, Set<String>> CONTRIB = Map.of(
            "receivers", Set.of("otlp"),
            "processors", Set.of("memory_limiter", "batch", "deltatocumulative", "transform", "filter",
                    "attributes", "resource"),
            "exporters", Set.of("prometheus", "prometheusremotewrite", "file", "otlphttp", "otlp", "debug",
                    "clickhouse"),
            "extensions", Set.of("health_check", "bearertokenauth"));

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String file) throws Exception {
        return (Map<String, Object>) new Yaml().load(Files.readString(TEAM.resolve(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCollectorsPipelinesUseOnlyDefinedContribComponents() throws Exception {
        Map<String, Object> config = yaml("otel-collector.yaml");
        Map<String, Object> pipelines = map(map(config.get("service")).get("pipelines"));
        assertEquals(Set.of("metrics", "logs", "traces"), pipelines.keySet(), "every signal a receiver forwards");
        for (var pipeline : pipelines.entrySet()) {
            for (String kind : List.of("receivers", "processors", "exporters")) {
                for (String component : (List<String>) map(pipeline.getValue()).get(kind)) {
                    assertTrue(map(config.get(kind)).containsKey(component),
                            pipeline.getKey() + " names undefined " + kind + " " + component);
                }
            }
        }
        for (String kind : CONTRIB.keySet()) {
            for (String component : map(config.get(kind)).keySet()) {
                String type = component.split("/")[0];
                assertTrue(CONTRIB.get(kind).contains(type), kind + " " + type + " is not in the contrib distribution");
            }
        }
        List<String> metrics = (List<String>) map(pipelines.get("metrics")).get("processors");
        assertTrue(metrics.indexOf("deltatocumulative") >= 0, "Claude Code's DELTA sums become running totals");
        Map<String, Object> prometheus = map(map(config.get("exporters")).get("prometheus"));
        assertEquals(true, map(prometheus.get("resource_to_telemetry_conversion")).get("enabled"),
                "user.name and host.name become labels");
        assertEquals("0.0.0.0:4318", map(map(map(map(config.get("receivers")).get("otlp")).get("protocols"))
                .get("http")).get("endpoint"), "OTLP/HTTP where the receivers forward");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeMountsFilesThatExistAndPrometheusScrapesTheCollector() throws Exception {
        Map<String, Object> services = map(yaml("compose.yaml").get("services"));
        assertEquals(Set.of("otel-collector", "prometheus", "grafana"), services.keySet());
        assertTrue(((String) map(services.get("otel-collector")).get("image"))
                .startsWith("otel/opentelemetry-collector-contrib:0.120.0"), "pinned");
        for (Object service : services.values()) {
            for (String volume : (List<String>) map(service).getOrDefault("volumes", List.of())) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    assertTrue(Files.exists(TEAM.resolve(source).normalize()), "compose mounts a missing " + source);
                }
            }
        }
        Map<String, Object> scrape = map(((List<Object>) yaml("prometheus.yml").get("scrape_configs")).get(0));
        List<String> targets = (List<String>) map(((List<Object>) scrape.get("static_configs")).get(0))
                .get("targets");
        String exporter = (String) map(map(yaml("otel-collector.yaml").get("exporters")).get("prometheus"))
                .get("endpoint");
        assertEquals(List.of("otel-collector:" + exporter.split(":")[1]), targets);
    }

    @Test
    void theTeamDashboardAsksForTheCollectorsSeriesByDeveloper() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(TEAM.resolve("grafana/dashboards/claude-code-team.json")
                .toFile());
        var expressions = new ArrayList<String>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target ->
                expressions.add(target.path("expr").asText())));
        assertTrue(expressions.size() >= 5, expressions.toString());
        for (String expression : expressions) {
            assertTrue(expression.contains("claude_code_token_usage_tokens_total")
                    || expression.contains("claude_code_cost_usage_USD_total"), expression);
            assertTrue(expression.contains("user_name=~\"$user\""), "filtered by developer: " + expression);
        }
        assertEquals("label_values(claude_code_token_usage_tokens_total, user_name)",
                dashboard.path("templating").path("list").get(1).path("definition").asText());
    }
}
