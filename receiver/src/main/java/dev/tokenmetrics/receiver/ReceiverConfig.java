package dev.tokenmetrics.receiver;

import dev.tokenmetrics.receiver.forward.ForwardSettings;
import dev.tokenmetrics.receiver.http.ServerLimits;
import dev.tokenmetrics.receiver.transcripts.TranscriptScanner;
import java.nio.file.Path;
import java.util.Map;

/** Where the daemon listens and keeps its files, and where Claude Code keeps its transcripts. */
record ReceiverConfig(int port, String bindAddress, Path metricsFile, Path stateDir, Path transcripts,
                      ServerLimits limits, double dailyBudgetUsd, ForwardSettings forward) {

    /** Without forwarding. */
    ReceiverConfig(int port, String bindAddress, Path metricsFile, Path stateDir, Path transcripts,
                   ServerLimits limits, double dailyBudgetUsd) {
        this(port, bindAddress, metricsFile, stateDir, transcripts, limits, dailyBudgetUsd, ForwardSettings.NONE);
    }

    /** Without a daily budget. */
    ReceiverConfig(int port, String bindAddress, Path metricsFile, Path stateDir, Path transcripts,
                   ServerLimits limits) {
        this(port, bindAddress, metricsFile, stateDir, transcripts, limits, Double.NaN);
    }

    static final int DEFAULT_PORT = 4318;
    static final String DEFAULT_BIND = "127.0.0.1";
    static final String USAGE = """
            usage: token-metrics-receiver [--port N] [--bind ADDR] [--metrics-file PATH] [--state-dir DIR]
                                          [--transcripts DIR] [--daily-budget USD]
                                          [--forward-endpoint URL [--forward-header K=V]... [forwarding options]]

            Receives Claude Code's OpenTelemetry export (OTLP/HTTP, protobuf or JSON, plain or gzip) and keeps
            exact per-session token and cost totals in the metrics file.

              --port N             port to listen on (default $CLAUDE_TOKEN_METRICS_PORT or 4318)
              --bind ADDR          address to listen on (default 127.0.0.1; anything but loopback is unsafe)
              --metrics-file PATH  file to keep current (default $CLAUDE_TOKEN_METRICS_FILE or
                                   ~/.claude/token-metrics.json)
              --state-dir DIR      journal, snapshot, usage ledger (usage.db), pid and log files
                                   (default ~/.claude/token-metrics)
              --transcripts DIR    Claude Code's transcripts, imported into the ledger (default
                                   $CLAUDE_CONFIG_DIR/projects or ~/.claude/projects)
              --daily-budget USD   shown on /metrics as today's cost against it (default
                                   $CLAUDE_TOKEN_DAILY_BUDGET, as the statusline uses it; none)

            Forwarding to a team's OpenTelemetry Collector (off unless an endpoint is given; docs/FORWARDING.md):
              --forward-endpoint URL            OTLP/HTTP base URL; /v1/metrics, /v1/logs, /v1/traces appended
                                                ($CLAUDE_TOKEN_FORWARD_ENDPOINT)
              --forward-metrics-endpoint URL    one signal's full URL, likewise --forward-logs-endpoint and
                                                --forward-traces-endpoint ($CLAUDE_TOKEN_FORWARD_METRICS_ENDPOINT…)
              --forward-header K=V              sent with every request, repeatable ($CLAUDE_TOKEN_FORWARD_HEADERS:
                                                k=v,k=v, values %-decoded)
              --forward-compression gzip|none   (default gzip; $CLAUDE_TOKEN_FORWARD_COMPRESSION)
              --forward-timeout DURATION        per request, e.g. 10s (default 10s; $CLAUDE_TOKEN_FORWARD_TIMEOUT)
              --forward-queue-max SIZE          queue on disk, oldest dropped past it (default 128MiB;
                                                $CLAUDE_TOKEN_FORWARD_QUEUE_MAX)
              --forward-retry-max DURATION      longest wait between retries (default 30s;
                                                $CLAUDE_TOKEN_FORWARD_RETRY_MAX)
              --forward-resource-attributes K=V,…  added to every resource (default host.name and user.name;
                                                $CLAUDE_TOKEN_FORWARD_RESOURCE_ATTRIBUTES)
            """;

    /** Parses the command line over defaults taken from the environment; throws with a one-line reason. */
    static ReceiverConfig parse(String[] args, Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        int port = env.containsKey("CLAUDE_TOKEN_METRICS_PORT")
                ? port(env.get("CLAUDE_TOKEN_METRICS_PORT"), "CLAUDE_TOKEN_METRICS_PORT") : DEFAULT_PORT;
        String bind = DEFAULT_BIND;
        Path metricsFile = env.containsKey("CLAUDE_TOKEN_METRICS_FILE")
                ? Path.of(env.get("CLAUDE_TOKEN_METRICS_FILE")) : home.resolve(".claude/token-metrics.json");
        Path stateDir = home.resolve(".claude/token-metrics");
        Path transcripts = TranscriptScanner.defaultRoot(env, home);
        double budget = budgetFromEnvironment(env.get("CLAUDE_TOKEN_DAILY_BUDGET"));
        ForwardSettings forward = ForwardSettings.fromEnvironment(env);
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                throw new HelpRequested();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + option);
            }
            String value = args[++i];
            if (ForwardSettings.isOption(option)) {
                forward = forward.with(option, value); // checked when the daemon starts: a mistake stops nothing
                continue;
            }
            switch (option) {
                case "--port" -> port = port(value, "--port");
                case "--bind" -> bind = value;
                case "--metrics-file" -> metricsFile = Path.of(value);
                case "--state-dir" -> stateDir = Path.of(value);
                case "--transcripts" -> transcripts = Path.of(value);
                case "--daily-budget" -> budget = dollars(value, "--daily-budget");
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new ReceiverConfig(port, bind, metricsFile.toAbsolutePath(), stateDir.toAbsolutePath(),
                transcripts.toAbsolutePath(),
                ServerLimits.DEFAULTS, budget, forward);
    }

    /** The statusline's variable: one it cannot use is ignored there, so here too, rather than refuse to start. */
    private static double budgetFromEnvironment(String value) {
        try {
            return value == null || value.isBlank() ? Double.NaN : dollars(value, "CLAUDE_TOKEN_DAILY_BUDGET");
        } catch (IllegalArgumentException ignored) {
            return Double.NaN;
        }
    }

    private static double dollars(String value, String name) {
        try {
            double amount = Double.parseDouble(value.trim());
            if (amount > 0 && amount < 1e12) {
                return amount;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be an amount of US dollars above 0, got '" + value + "'");
    }

    private static int port(String value, String name) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a port number from 0 to 65535, got '" + value + "'");
    }

    /** Thrown by {@link #parse} for --help. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(null, null, false, false);
        }
    }
}
