package dev.tokenmetrics.receiver.forward;

import dev.tokenmetrics.receiver.otlp.Signal;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Forwarding as checked: where each signal goes upstream, with which headers, compression and timeout, how large the
 * queue may grow, how long retries may wait, and the resource attributes added to every export. {@link #toString}
 * and every error message name header keys only: their values are credentials.
 */
public record ForwardConfig(Map<Signal, URI> endpoints, List<Header> headers, boolean gzip, Duration timeout,
                            long queueMaxBytes, Duration retryMax, Map<String, String> resourceAttributes) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_QUEUE_MAX_BYTES = 128L << 20;
    public static final long MIN_QUEUE_MAX_BYTES = 64L << 10;
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);

    /** An HTTP header sent with every upstream request; its value is never shown. */
    public record Header(String name, String value) {
        @Override
        public String toString() {
            return name + "=<redacted>";
        }
    }

    public ForwardConfig {
        endpoints = Collections.unmodifiableMap(new EnumMap<>(endpoints));
        headers = List.copyOf(headers);
        resourceAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(resourceAttributes));
    }

    // RFC 9110's token: what a header name may be made of.
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    // Headers the HTTP client sets itself, or that would change how the request is framed.
    private static final Set<String> RESERVED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "content-type", "content-encoding", "transfer-encoding");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(|B|KiB|MiB|GiB|KB|MB|GB|k|K|M|G)");

    /**
     * Checks the settings; throws with a one-line reason naming the setting (never a header's value).
     * {@code defaultAttributes} are added when no resource attributes are configured.
     */
    public static ForwardConfig of(ForwardSettings settings, Map<String, String> defaultAttributes) {
        var endpoints = new EnumMap<Signal, URI>(Signal.class);
        if (ForwardSettings.present(settings.endpoint())) {
            URI base = endpoint(settings.endpoint(), "forward endpoint");
            for (Signal signal : Signal.values()) {
                endpoints.put(signal, signalPath(base, signal));
            }
        }
        putIfPresent(endpoints, Signal.METRICS, settings.metricsEndpoint(), "forward metrics endpoint");
        putIfPresent(endpoints, Signal.LOGS, settings.logsEndpoint(), "forward logs endpoint");
        putIfPresent(endpoints, Signal.TRACES, settings.tracesEndpoint(), "forward traces endpoint");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("forwarding needs an endpoint (--forward-endpoint URL)");
        }
        var headers = new ArrayList<Header>();
        for (String list : settings.headers()) {
            pairs(list, "forward header").forEach((name, value) -> headers.add(header(name, value)));
        }
        boolean gzip = compression(settings.compression());
        Duration timeout = ForwardSettings.present(settings.timeout())
                ? duration(settings.timeout(), "forward timeout", Duration.ofMinutes(10)) : DEFAULT_TIMEOUT;
        long queueMax = ForwardSettings.present(settings.queueMax()) ? size(settings.queueMax())
                : DEFAULT_QUEUE_MAX_BYTES;
        Duration retryMax = ForwardSettings.present(settings.retryMax())
                ? duration(settings.retryMax(), "forward retry max", Duration.ofHours(1)) : DEFAULT_RETRY_MAX;
        Map<String, String> attributes = settings.resourceAttributes() == null ? defaultAttributes
                : pairs(settings.resourceAttributes(), "forward resource attribute");
        return new ForwardConfig(endpoints, headers, gzip, timeout, queueMax, retryMax, attributes);
    }

    /**
     * The attributes added when none are configured: {@code host.name} and {@code user.name}, which tell the team's
     * developers and machines apart (Claude Code's own resource says neither).
     */
    public static Map<String, String> defaultAttributes(Map<String, String> env) {
        var attributes = new LinkedHashMap<String, String>();
        String host = hostName(env);
        if (host != null) {
            attributes.put("host.name", host);
        }
        String user = System.getProperty("user.name", env.get("USER"));
        if (user != null && !user.isBlank()) {
            attributes.put("user.name", user);
        }
        return attributes;
    }

    /** The kernel's host name, without a DNS lookup; the environment's or the resolver's where there is none. */
    private static String hostName(Map<String, String> env) {
        try {
            String name = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (java.io.IOException | RuntimeException notLinux) {
            // below
        }
        String name = env.get("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name.trim();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Each endpoint as it may be shown: scheme, host, port and path; user info and query left out. */
    public String describeEndpoints() {
        var described = new LinkedHashMap<String, String>();
        endpoints.forEach((signal, uri) -> described.put(signal.name().toLowerCase(Locale.ROOT), redacted(uri)));
        String metrics = described.getOrDefault("metrics", "");
        if (described.size() == Signal.values().length && metrics.endsWith("/v1/metrics")) {
            String base = metrics.substring(0, metrics.length() - "/v1/metrics".length());
            if (described.get("logs").equals(base + "/v1/logs") && described.get("traces").equals(base + "/v1/traces")) {
                return base; // the one base endpoint, as configured
            }
        }
        var text = new StringBuilder();
        described.forEach((signal, uri) -> text.append(text.isEmpty() ? "" : ", ").append(signal).append(' ')
                .append(uri));
        return text.toString();
    }

    static String redacted(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    @Override
    public String toString() {
        return "ForwardConfig[" + describeEndpoints() + ", headers " + headers + ", gzip " + gzip + ", timeout "
                + timeout + ", queue max " + queueMaxBytes + " bytes, retry max " + retryMax + ", attributes "
                + resourceAttributes + "]";
    }

    private static void putIfPresent(Map<Signal, URI> endpoints, Signal signal, String value, String name) {
        if (ForwardSettings.present(value)) {
            URI uri = endpoint(value, name);
            endpoints.put(signal, uri.getRawPath() == null || uri.getRawPath().isEmpty() ? uri.resolve("/") : uri);
        }
    }

    /** The OTLP/HTTP rule: the base endpoint's path gets {@code v1/<signal>} appended, with one slash between. */
    static URI signalPath(URI base, Signal signal) {
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        String joined = (path.endsWith("/") ? path : path + "/") + signal.path().substring(1);
        try {
            return new URI(base.getScheme(), base.getRawAuthority(), joined, base.getRawQuery(), null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("forward endpoint: " + e.getMessage());
        }
    }

    private static URI endpoint(String value, String name) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a URL: " + safe(value));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(name + " must be an http:// or https:// URL, got " + safe(value));
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException(name + " has no host: " + safe(value));
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException(name + " must not have a #fragment: " + redacted(uri));
        }
        return uri;
    }

    /** A URL as it may appear in a message: without anything between "//" and "@", which may be a password. */
    private static String safe(String value) {
        return value.trim().replaceAll("//[^/@]*@", "//");
    }

    private static Header header(String name, String value) {
        if (!TOKEN.matcher(name).matches()) {
            throw new IllegalArgumentException("forward header name '" + name + "' is not a valid HTTP header name");
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("forward header '" + name + "' is set by the receiver itself");
        }
        for (char c : value.toCharArray()) {
            if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
                throw new IllegalArgumentException("forward header '" + name
                        + "' has a value with a character HTTP does not allow (its value is not shown)");
            }
        }
        return new Header(name, value);
    }

    /**
     * Comma-separated {@code key=value} pairs, values percent-decoded, as OTEL_EXPORTER_OTLP_HEADERS and
     * OTEL_RESOURCE_ATTRIBUTES are written. A plus sign stays a plus sign: it is common in tokens.
     */
    static Map<String, String> pairs(String list, String what) {
        var pairs = new LinkedHashMap<String, String>();
        for (String item : list.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            int equals = item.indexOf('=');
            String key = equals < 0 ? item.trim() : item.substring(0, equals).trim();
            if (equals <= 0 || key.isEmpty()) {
                throw new IllegalArgumentException(what + " '" + key + "' must be written key=value");
            }
            String value;
            try {
                value = URLDecoder.decode(item.substring(equals + 1).trim().replace("+", "%2B"),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " '" + key + "' has a malformed %-escape in its value");
            }
            pairs.put(key, value);
        }
        return pairs;
    }

    private static boolean compression(String value) {
        if (!ForwardSettings.present(value)) {
            return true;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "gzip" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("forward compression must be gzip or none, got '"
                    + value.trim() + "'");
        };
    }

    /** A duration such as 10s, 500ms, 2m or 1h; a bare number is milliseconds, as in OTEL_EXPORTER_OTLP_TIMEOUT. */
    static Duration duration(String value, String name, Duration max) {
        Matcher matcher = DURATION.matcher(value.trim());
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
            Duration duration = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            if (!duration.isZero() && duration.compareTo(max) <= 0) {
                return duration;
            }
        }
        throw new IllegalArgumentException(name + " must be a duration above 0 and at most " + max
                + " such as 10s or 500ms (a bare number is milliseconds), got '" + value.trim() + "'");
    }

    /** A size such as 64MiB or 200MB; a bare number is bytes. */
    static long size(String value) {
        Matcher matcher = SIZE.matcher(value.trim());
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            long unit = switch (matcher.group(2)) {
                case "KiB", "k", "K" -> 1L << 10;
                case "MiB", "M" -> 1L << 20;
                case "GiB", "G" -> 1L << 30;
                case "KB" -> 1_000L;
                case "MB" -> 1_000_000L;
                case "GB" -> 1_000_000_000L;
                default -> 1L;
            };
            if (amount <= Long.MAX_VALUE / unit && amount * unit >= MIN_QUEUE_MAX_BYTES) {
                return amount * unit;
            }
        }
        throw new IllegalArgumentException("forward queue max must be a size of at least 64KiB such as 128MiB or"
                + " 500MB (a bare number is bytes), got '" + value.trim() + "'");
    }
}
