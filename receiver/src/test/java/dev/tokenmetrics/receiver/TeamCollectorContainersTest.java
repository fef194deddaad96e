package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenmetrics.receiver.forward.ForwardSettings;
import dev.tokenmetrics.receiver.http.ServerLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.MountableFile;

/**
 * deploy/team's collector config in the real otel/opentelemetry-collector-contrib image (the version compose.yaml
 * pins), fed by a receiver that forwards what the real Claude Code CLI exported: the collector's Prometheus exporter
 * shows exactly the tokens the stand-in API served, under the developer's user name. Runs where a container engine
 * exists; elsewhere it skips with its reason (TeamDeployTest checks the config without one, ForwardingCliTest the
 * forwarding with a receiver as the upstream).
 */
class TeamCollectorContainersTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern TOKEN_SAMPLE = Pattern.compile(
            "(?m)^claude_code_token_usage_tokens_total\\{([^}]*)\\} ([0-9.e+]+)");

    @TempDir
    Path temp;

    @Test
    void theCollectorServesWhatClaudeCodeUsedByDeveloper() throws Exception {
        Skip.unless(ContainerEngine.available(), "no container engine (Docker) reachable here: the OpenTelemetry Collector image"
                + " cannot run; TeamDeployTest checks its config, ForwardingCliTest forwarding to a receiver");
        Path claude = ClaudeCodeCli.require();
        int otlpPort = DaemonProcess.freePort();
        int prometheusPort = DaemonProcess.freePort();
        // The shipped config, on free loopback ports: the container shares the host's network.
        String config = Files.readString(TeamDeployTest.TEAM.resolve("otel-collector.yaml"))
                .replace("0.0.0.0:4318", "127.0.0.1:" + otlpPort)
                .replace("0.0.0.0:4317", "127.0.0.1:" + DaemonProcess.freePort())
                .replace("0.0.0.0:8889", "127.0.0.1:" + prometheusPort)
                .replace("0.0.0.0:13133", "127.0.0.1:" + DaemonProcess.freePort())
                .replace("/var/lib/otelcol/", "/tmp/");
        Path configFile = Files.writeString(temp.resolve("otel-collector.yaml"), config);
        try (var collector = new GenericContainer<>("otel/opentelemetry-collector-contrib:0.120.0")
                .withNetworkMode("host")
                .withCopyFileToContainer(MountableFile.forHostPath(configFile), "/etc/otelcol-contrib/config.yaml")
                .withCommand("--config=/etc/otelcol-contrib/config.yaml")) {
            collector.start();
            try (var api = new StandInMessagesApi();
                 var receiver = RunningReceiver.start(Files.createDirectory(temp.resolve("ada")), 0,
                         ServerLimits.DEFAULTS, ForwardSettings.NONE
                                 .with("--forward-endpoint", "http://127.0.0.1:" + otlpPort)
                                 .with("--forward-resource-attributes", "user.name=ada,host.name=ada-laptop"))) {
                ClaudeCodeCli.print(claude, temp.resolve("ada"), api.baseUrl(), receiver.port(), "say hi", Map.of());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long seen = -1;
                while (System.nanoTime() < deadline && seen != api.servedTotal()) {
                    seen = adasTokens(prometheusPort);
                    Thread.sleep(500);
                }
                assertEquals(api.servedTotal(), seen, "the collector's exporter: ada's tokens, all of them, once");
            }
        }
    }

    private static long adasTokens(int port) throws Exception {
        String body;
        try {
            body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException notYet) {
            return -1;
        }
        long sum = 0;
        Matcher sample = TOKEN_SAMPLE.matcher(body);
        while (sample.find()) {
            if (sample.group(1).contains("user_name=\"ada\"")) {
                sum += (long) Double.parseDouble(sample.group(2));
            }
        }
        return sum;
    }
}
