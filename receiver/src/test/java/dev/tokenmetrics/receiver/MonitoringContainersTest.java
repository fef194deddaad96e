package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.MountableFile;

/**
 * The monitoring stack as a user runs it from monitoring/README.md: the Prometheus and Grafana images, with the
 * shipped rules, provisioning and dashboard, against a receiver fed by the real Claude Code CLI. Runs where a
 * container engine exists; elsewhere it skips with its reason (PrometheusTest, with Debian's Prometheus, always
 * runs). Both containers use the host's network: the receiver answers loopback only.
 */
class MonitoringContainersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path temp;

    @Test
    void grafanaShowsWhatClaudeCodeBilledThroughTheShippedDashboard() throws Exception {
        Skip.unless(ContainerEngine.available(), "no container engine (Docker) reachable here: the Prometheus and Grafana images"
                + " cannot run; PrometheusTest covers the same with Debian's Prometheus");
        Path claude = ClaudeCodeCli.require();
        try (var api = new StandInMessagesApi(1000);
             var receiver = RunningReceiver.start(Files.createDirectory(temp.resolve("receiver-home")))) {
            ClaudeCodeCli.print(claude, Files.createDirectory(temp.resolve("cli")), api.baseUrl(), receiver.port(),
                    "say hi", Map.of("OTEL_RESOURCE_ATTRIBUTES", "project=demo"));
            int prometheusPort = DaemonProcess.freePort();
            int grafanaPort = DaemonProcess.freePort();
            Path config = Files.writeString(temp.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    rule_files: [/etc/prometheus/alerts.yml]
                    scrape_configs:
                      - job_name: claude-token-metrics
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(receiver.port()));
            Path datasource = Files.writeString(temp.resolve("datasource.yml"), Files.readString(
                    PrometheusTest.MONITORING.resolve("grafana/provisioning/datasources/prometheus.yml"))
                    .replace("127.0.0.1:9090", "127.0.0.1:" + prometheusPort));
            try (var prometheus = new GenericContainer<>("prom/prometheus:v2.53.3")
                         .withNetworkMode("host")
                         .withCopyFileToContainer(MountableFile.forHostPath(config), "/etc/prometheus/prometheus.yml")
                         .withCopyFileToContainer(MountableFile.forHostPath(
                                 PrometheusTest.MONITORING.resolve("prometheus/alerts.yml")), "/etc/prometheus/alerts.yml")
                         .withCommand("--config.file=/etc/prometheus/prometheus.yml",
                                 "--web.listen-address=127.0.0.1:" + prometheusPort);
                 var grafana = new GenericContainer<>("grafana/grafana:11.6.0")
                         .withNetworkMode("host")
                         .withEnv("GF_SERVER_HTTP_PORT", Integer.toString(grafanaPort))
                         .withEnv("GF_SERVER_HTTP_ADDR", "127.0.0.1")
                         .withCopyFileToContainer(MountableFile.forHostPath(datasource),
                                 "/etc/grafana/provisioning/datasources/prometheus.yml")
                         .withCopyFileToContainer(MountableFile.forHostPath(PrometheusTest.MONITORING.resolve(
                                 "grafana/provisioning/dashboards/claude-code.yml")),
                                 "/etc/grafana/provisioning/dashboards/claude-code.yml")
                         .withCopyFileToContainer(MountableFile.forHostPath(PrometheusTest.MONITORING.resolve(
                                 "grafana/dashboards/claude-code.json")), "/var/lib/grafana/dashboards/claude-code.json")) {
                prometheus.start();
                grafana.start();
                String auth = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
                URI base = URI.create("http://127.0.0.1:" + grafanaPort);
                JsonNode dashboard = await(HttpRequest.newBuilder(base.resolve("/api/dashboards/uid/claude-code-usage"))
                        .header("Authorization", auth).build(), node -> node.has("dashboard"));
                assertEquals("Claude Code usage", dashboard.path("dashboard").path("title").asText());
                String query = "sum(claude_code_token_usage_tokens_total)";
                JsonNode answer = await(HttpRequest.newBuilder(base.resolve("/api/datasources/proxy/uid/"
                                + datasourceUid(base, auth) + "/api/v1/query?query="
                                + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                        .header("Authorization", auth).build(),
                        node -> node.path("data").path("result").size() > 0
                                && node.path("data").path("result").get(0).path("value").get(1).asLong()
                                == api.servedTotal());
                assertEquals(api.servedTotal(), answer.path("data").path("result").get(0).path("value").get(1).asLong());
            }
        }
    }

    private static String datasourceUid(URI base, String auth) throws Exception {
        JsonNode sources = await(HttpRequest.newBuilder(base.resolve("/api/datasources"))
                .header("Authorization", auth).build(), node -> node.size() > 0);
        return sources.get(0).path("uid").asText();
    }

    private static JsonNode await(HttpRequest request, java.util.function.Predicate<JsonNode> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200) {
                    JsonNode node = JSON.readTree(response.body());
                    if (ready.test(node)) {
                        return node;
                    }
                }
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(request.uri() + " never answered as expected; last: " + last);
    }
}
