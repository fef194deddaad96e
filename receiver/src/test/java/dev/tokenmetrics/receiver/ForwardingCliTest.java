package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmetrics.receiver.forward.ForwardSettings;
import dev.tokenmetrics.receiver.http.ServerLimits;
import dev.tokenmetrics.receiver.publish.MetricsFile;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The team's view: three developers, each with a HOME and a receiver of their own, run the real Claude Code CLI while
 * the team's upstream (a second receiver) is down. One developer's receiver is killed with SIGKILL after the run and
 * started again; another's queue is full, its oldest exports dropped. When the upstream comes up, it holds exactly
 * what the stand-in API served, per session, with each developer's user name on their sessions.
 */
class ForwardingCliTest {

    @TempDir
    Path temp;

    private static long cliTokens(JsonNode result) {
        long[] total = {0};
        result.path("modelUsage").forEach(model -> total[0] += model.path("inputTokens").asLong()
                + model.path("outputTokens").asLong() + model.path("cacheReadInputTokens").asLong()
                + model.path("cacheCreationInputTokens").asLong());
        return total[0];
    }

    /**
     * The filler's n-th export: one millisecond's window in the seconds before the test, so that it falls on the day
     * the test runs (the shared filler of {@link ForwardingTest} starts an hour back, which can be yesterday).
     */
    private static ExportMetricsServiceRequest filler(Instant base, int n) {
        Instant from = base.plusMillis(n);
        return Otlp.usage("cy-filler", "claude-sonnet-4-5", AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                from, from.plusMillis(1), 1000 + n, 50, 40, 20, 0.001);
    }

    private static ForwardSettings forwardTo(int port, String user) {
        return ForwardSettings.NONE.with("--forward-endpoint", "http://127.0.0.1:" + port)
                .with("--forward-retry-max", "200ms")
                .with("--forward-resource-attributes", "user.name=" + user + ",host.name=" + user + "-laptop");
    }

    @Test
    void theUpstreamHoldsExactlyWhatEveryDeveloperUsedThroughAnOutageAKillAndAFullQueue() throws Exception {
        Path claude = ClaudeCodeCli.require();
        int upstreamPort = DaemonProcess.freePort();
        int killedPort = DaemonProcess.freePort();
        Path killedHome = Files.createDirectory(temp.resolve("bob"));
        String[] killedArgs = {"--port", Integer.toString(killedPort), "--forward-endpoint",
                "http://127.0.0.1:" + upstreamPort, "--forward-retry-max", "200ms", "--forward-resource-attributes",
                "user.name=bob,host.name=bob-laptop"};
        ExecutorService pool = Executors.newFixedThreadPool(3);
        LocalDate day = LocalDate.now();
        Instant fillerBase = Instant.now().minusSeconds(2);
        DaemonProcess bob = DaemonProcess.start(killedHome, killedArgs).awaitHealthy(killedPort);
        try (var api = new StandInMessagesApi(1000);
             var ada = RunningReceiver.start(Files.createDirectory(temp.resolve("ada")), 0, ServerLimits.DEFAULTS,
                     forwardTo(upstreamPort, "ada"));
             var cy = RunningReceiver.start(Files.createDirectory(temp.resolve("cy")), 0, ServerLimits.DEFAULTS,
                     forwardTo(upstreamPort, "cy").with("--forward-queue-max", "64KiB"))) {
            // Cy's queue fills up while the upstream is down: the oldest exports go, counted.
            int filler = 0;
            while (ForwardingTest.health(cy).path("forwarding").path("droppedExports").asLong() == 0) {
                assertEquals(200, cy.post("/v1/metrics", "application/x-protobuf", null,
                        filler(fillerBase, filler++).toByteArray()).statusCode());
            }
            long dropped = ForwardingTest.health(cy).path("forwarding").path("droppedExports").asLong();

            List<Future<JsonNode>> runs = new ArrayList<>();
            runs.add(pool.submit(() -> ClaudeCodeCli.print(claude, temp.resolve("ada"), api.baseUrl(), ada.port(),
                    "say hi", Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"))));
            runs.add(pool.submit(() -> ClaudeCodeCli.print(claude, killedHome, api.baseUrl(), killedPort, "say hi",
                    Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"))));
            runs.add(pool.submit(() -> ClaudeCodeCli.print(claude, temp.resolve("cy"), api.baseUrl(), cy.port(),
                    "say hi", Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "cumulative"))));
            List<JsonNode> results = new ArrayList<>();
            for (Future<JsonNode> run : runs) {
                results.add(run.get());
            }
            // Every export the CLI had acknowledged is queued: a SIGKILL now loses none of it.
            bob.process.destroyForcibly();
            bob.awaitExit();
            bob = DaemonProcess.start(killedHome, killedArgs).awaitHealthy(killedPort);

            try (var upstream = RunningReceiver.start(Files.createDirectory(temp.resolve("upstream")), upstreamPort,
                    ServerLimits.DEFAULTS)) {
                String[] users = {"ada", "bob", "cy"};
                long sum = 0;
                BigDecimal cost = BigDecimal.ZERO;
                for (int i = 0; i < results.size(); i++) {
                    JsonNode result = results.get(i);
                    String session = result.path("session_id").asText();
                    long expected = cliTokens(result);
                    sum += expected;
                    cost = cost.add(result.path("total_cost_usd").decimalValue());
                    JsonNode upstreamSession = upstream.awaitMetrics(m -> m.path("sessions").path(session)
                                    .path("tokens").path("total").asLong() == expected, Duration.ofSeconds(60))
                            .path("sessions").path(session);
                    assertEquals(users[i], upstreamSession.path("resource").path("user.name").asText(),
                            "each developer's sessions carry their user name");
                    assertEquals(users[i] + "-laptop", upstreamSession.path("resource").path("host.name").asText());
                }
                assertEquals(api.servedTotal(), sum, "the upstream holds what the API served");
                long kept = 0;
                for (int n = (int) dropped; n < filler; n++) {
                    kept += ForwardingTest.tokens(n);
                }
                long keptFiller = kept;
                upstream.awaitMetrics(m -> m.path("sessions").path("cy-filler").path("tokens").path("total").asLong()
                        == keptFiller, Duration.ofSeconds(30));
                JsonNode published = upstream.awaitPublished();
                long apiRequests = 0;
                for (JsonNode result : results) {
                    apiRequests += published.path("sessions").path(result.path("session_id").asText())
                            .path("apiRequests").asLong();
                }
                assertEquals(api.calls(), apiRequests, "every api_request event forwarded, once");
                if (LocalDate.now().equals(day)) {
                    assertEquals(0, published.path("today").path("costUsd").decimalValue().compareTo(
                            MetricsFile.roundCost(cost.add(
                                    published.path("sessions").path("cy-filler").path("costUsd").decimalValue()))),
                            "today's cost is every developer's and the filler's");
                } else {
                    System.out.println("ForwardingCliTest: midnight passed during the test; today's cost not compared");
                }
                assertEquals(dropped, ForwardingTest.health(cy).path("forwarding").path("droppedExports").asLong(),
                        "nothing dropped but the filler's oldest");
            }
        } finally {
            pool.shutdownNow();
            bob.process.destroy();
            bob.awaitExit();
        }
    }
}
