package dev.tokenmetrics.receiver.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Forwarding's settings: OTel's conventions under our own names, and mistakes reported without secrets. */
class ForwardConfigTest {

    private static final Map<String, String> DEFAULTS = Map.of("host.name", "box", "user.name", "ada");

    private static ForwardConfig parse(Map<String, String> env, String... options) {
        ForwardSettings settings = ForwardSettings.fromEnvironment(env);
        for (int i = 0; i < options.length; i += 2) {
            settings = settings.with(options[i], options[i + 1]);
        }
        return ForwardConfig.of(settings, DEFAULTS);
    }

    private static String refusal(Map<String, String> env, String... options) {
        return assertThrows(IllegalArgumentException.class, () -> parse(env, options)).getMessage();
    }

    @Test
    void offUnlessAnEndpointIsGiven() {
        assertFalse(ForwardSettings.fromEnvironment(Map.of()).enabled());
        assertFalse(ForwardSettings.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")).enabled(),
                "OTEL_* points at this receiver in Claude Code's environment: never read");
        assertTrue(ForwardSettings.fromEnvironment(Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://c:4318")).enabled());
        assertTrue(ForwardSettings.NONE.with("--forward-logs-endpoint", "http://c/logs").enabled());
    }

    @Test
    void theBaseEndpointGetsEachSignalsPathAsOtlpHttpSays() {
        ForwardConfig config = parse(Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "https://collector.example:4318"));
        assertEquals(URI.create("https://collector.example:4318/v1/metrics"), config.endpoints().get(Signal.METRICS));
        assertEquals(URI.create("https://collector.example:4318/v1/logs"), config.endpoints().get(Signal.LOGS));
        assertEquals(URI.create("https://collector.example:4318/v1/traces"), config.endpoints().get(Signal.TRACES));
        assertEquals(URI.create("http://gw/otlp/v1/metrics"),
                parse(Map.of(), "--forward-endpoint", "http://gw/otlp/").endpoints().get(Signal.METRICS));
        assertEquals(URI.create("http://gw/otlp/v1/logs"),
                parse(Map.of(), "--forward-endpoint", "http://gw/otlp").endpoints().get(Signal.LOGS));
    }

    @Test
    void aSignalsOwnEndpointIsUsedAsItIsAndOverridesTheBase() {
        ForwardConfig config = parse(Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://c:4318",
                "CLAUDE_TOKEN_FORWARD_LOGS_ENDPOINT", "http://loki:3100/otlp/v1/logs"));
        assertEquals(URI.create("http://loki:3100/otlp/v1/logs"), config.endpoints().get(Signal.LOGS));
        assertEquals(URI.create("http://c:4318/v1/metrics"), config.endpoints().get(Signal.METRICS));
        ForwardConfig metricsOnly = parse(Map.of(), "--forward-metrics-endpoint", "http://m:9090");
        assertEquals(Map.of(Signal.METRICS, URI.create("http://m:9090/")), metricsOnly.endpoints(),
                "a signal without an endpoint is not forwarded; an empty path is /");
    }

    @Test
    void headersAreCommaSeparatedPercentDecodedAndAddedToByOptions() {
        ForwardConfig config = parse(Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://c",
                        "CLAUDE_TOKEN_FORWARD_HEADERS", "Authorization=Bearer%20a+b%3D%3D, X-Scope-OrgID=team-1"),
                "--forward-header", "X-Extra=1=2");
        assertEquals(List.of(new ForwardConfig.Header("Authorization", "Bearer a+b=="),
                new ForwardConfig.Header("X-Scope-OrgID", "team-1"), new ForwardConfig.Header("X-Extra", "1=2")),
                config.headers());
        assertFalse(config.toString().contains("Bearer"), "values never shown: " + config);
    }

    @Test
    void theDefaultsAreGzipTenSecondsAndAHundredAndTwentyEightMebibytes() {
        ForwardConfig config = parse(Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://c"));
        assertTrue(config.gzip());
        assertEquals(Duration.ofSeconds(10), config.timeout());
        assertEquals(128L << 20, config.queueMaxBytes());
        assertEquals(Duration.ofSeconds(30), config.retryMax());
        assertEquals(DEFAULTS, config.resourceAttributes());
    }

    @Test
    void optionsOverrideTheEnvironment() {
        ForwardConfig config = parse(Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://env",
                        "CLAUDE_TOKEN_FORWARD_COMPRESSION", "gzip", "CLAUDE_TOKEN_FORWARD_TIMEOUT", "2500"),
                "--forward-endpoint", "http://option", "--forward-compression", "none", "--forward-queue-max",
                "10MB", "--forward-retry-max", "2m", "--forward-resource-attributes",
                "user.name=ada%20l,team=core");
        assertEquals("option", config.endpoints().get(Signal.LOGS).getHost());
        assertFalse(config.gzip());
        assertEquals(Duration.ofMillis(2500), config.timeout(), "a bare number is milliseconds, as in OTel");
        assertEquals(10_000_000L, config.queueMaxBytes());
        assertEquals(Duration.ofMinutes(2), config.retryMax());
        assertEquals(Map.of("user.name", "ada l", "team", "core"), config.resourceAttributes());
        assertEquals(Map.of(), parse(Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://c",
                "CLAUDE_TOKEN_FORWARD_RESOURCE_ATTRIBUTES", "")).resourceAttributes(), "empty: none added");
    }

    @Test
    void mistakesAreOneLineNamingTheSettingAndNeverASecret() {
        Map<String, String> base = Map.of("CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://c");
        assertEquals("forward endpoint must be an http:// or https:// URL, got ftp://c",
                refusal(Map.of(), "--forward-endpoint", "ftp://c"));
        assertEquals("forward endpoint is not a URL: http://bad host", refusal(Map.of(), "--forward-endpoint",
                "http://bad host"));
        String withPassword = refusal(Map.of(), "--forward-endpoint", "htp://user:s3cret@c");
        assertFalse(withPassword.contains("s3cret"), withPassword);
        assertEquals("forward endpoint has no host: http:///v1", refusal(Map.of(), "--forward-endpoint", "http:///v1"));
        String badHeader = refusal(base, "--forward-header", "Authorization");
        assertEquals("forward header 'Authorization' must be written key=value", badHeader);
        String badEscape = refusal(base, "--forward-header", "Authorization=Bearer%zzsecret");
        assertEquals("forward header 'Authorization' has a malformed %-escape in its value", badEscape);
        String badValue = refusal(base, "--forward-header", "Authorization=tok%0Aen");
        assertTrue(badValue.startsWith("forward header 'Authorization' has a value with a character HTTP does not"
                + " allow"), badValue);
        assertFalse(badValue.contains("tok"), badValue);
        assertEquals("forward header name 'Bad Name' is not a valid HTTP header name",
                refusal(base, "--forward-header", "Bad Name=1"));
        assertEquals("forward header 'Content-Type' is set by the receiver itself",
                refusal(base, "--forward-header", "Content-Type=text/plain"));
        assertEquals("forward compression must be gzip or none, got 'zstd'",
                refusal(base, "--forward-compression", "zstd"));
        assertTrue(refusal(base, "--forward-timeout", "soon").startsWith("forward timeout must be a duration"));
        assertTrue(refusal(base, "--forward-queue-max", "1KiB").startsWith("forward queue max must be a size of at"
                + " least 64KiB"));
        assertEquals("forwarding needs an endpoint (--forward-endpoint URL)",
                refusal(Map.of("CLAUDE_TOKEN_FORWARD_HEADERS", "a=b"), "--forward-endpoint", " "));
    }

    @Test
    void theEndpointIsShownWithoutCredentials() {
        ForwardConfig config = parse(Map.of(), "--forward-endpoint", "https://user:pw@c.example:4318/base?token=t");
        assertEquals("https://c.example:4318/base", config.describeEndpoints());
    }
}
