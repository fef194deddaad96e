package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A second real client: the OpenTelemetry Java SDK's OTLP/HTTP exporter (protobuf), both temporalities. */
class OtelSdkExporterTest {

    @TempDir
    Path home;
    private RunningReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = RunningReceiver.start(home);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private static Attributes tokens(String session, String model, String type) {
        return Attributes.of(AttributeKey.stringKey("session.id"), session, AttributeKey.stringKey("model"), model,
                AttributeKey.stringKey("type"), type);
    }

    private static void flush(SdkMeterProvider provider) {
        CompletableResultCode result = provider.forceFlush().join(10, TimeUnit.SECONDS);
        assertTrue(result.isSuccess(), "the exporter reported failure");
    }

    @ParameterizedTest(name = "{0}, compression {1}")
    @CsvSource({"delta, none", "delta, gzip", "cumulative, none", "cumulative, gzip"})
    void countsWhatTheSdkExportsExactly(String temporality, String compression) throws Exception {
        var exporter = OtlpHttpMetricExporter.builder()
                .setEndpoint("http://127.0.0.1:" + receiver.port() + "/v1/metrics")
                .setCompression(compression)
                .setAggregationTemporalitySelector(temporality.equals("delta")
                        ? AggregationTemporalitySelector.deltaPreferred()
                        : AggregationTemporalitySelector.alwaysCumulative())
                .build();
        var resource = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "claude-code",
                AttributeKey.stringKey("service.version"), "sdk-test", AttributeKey.stringKey("project"), "token-metrics"));
        try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource)
                .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
                .build()) {
            Meter meter = provider.get("com.anthropic.claude_code");
            DoubleCounter tokenCounter = meter.counterBuilder("claude_code.token.usage").ofDoubles().build();
            DoubleCounter costCounter = meter.counterBuilder("claude_code.cost.usage").ofDoubles().build();

            tokenCounter.add(1011, tokens("sdk-1", "claude-opus-4-1", "input"));
            tokenCounter.add(41, tokens("sdk-1", "claude-opus-4-1", "output"));
            costCounter.add(0.005024000000000001, Attributes.of(AttributeKey.stringKey("session.id"), "sdk-1",
                    AttributeKey.stringKey("model"), "claude-opus-4-1"));
            flush(provider);
            flush(provider); // an export with nothing new: cumulative repeats its totals, delta sends nothing
            tokenCounter.add(500, tokens("sdk-1", "claude-opus-4-1", "cacheRead"));
            tokenCounter.add(9, tokens("sdk-1", "claude-opus-4-1", "input"));
            tokenCounter.add(3, tokens("sdk-2", "claude-haiku-4-5", "output"));
            costCounter.add(0.008360000000000001, Attributes.of(AttributeKey.stringKey("session.id"), "sdk-1",
                    AttributeKey.stringKey("model"), "claude-opus-4-1"));
            flush(provider);
        }

        JsonNode session = receiver.awaitMetrics(m -> m.path("sessions").path("sdk-1").path("tokens").path("cacheRead").asLong() == 500
                && m.path("sessions").has("sdk-2")).path("sessions").path("sdk-1");
        assertEquals(1020, session.path("tokens").path("input").asLong());
        assertEquals(41, session.path("tokens").path("output").asLong());
        assertEquals(1561, session.path("tokens").path("total").asLong());
        assertEquals("0.013384", session.path("costUsd").asText());
        assertEquals("token-metrics", session.path("resource").path("project").asText());
        assertEquals(3, receiver.metrics().path("sessions").path("sdk-2").path("tokens").path("output").asLong());
        assertEquals(1564, receiver.metrics().path("today").path("tokens").path("total").asLong());
    }
}
