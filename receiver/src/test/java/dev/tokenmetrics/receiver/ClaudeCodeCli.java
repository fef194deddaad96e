package dev.tokenmetrics.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/** The real Claude Code CLI (npm {@code @anthropic-ai/claude-code}), run offline against a stand-in API. */
public final class ClaudeCodeCli {

    /** The version .ci/run installs: its telemetry is what the tests verify against. */
    static final String NPM_PACKAGE = "@anthropic-ai/claude-code@2.1.331";

    private ClaudeCodeCli() {
    }

    /**
     * The {@code claude} executable: $CLAUDE_CODE_BIN, else on the PATH. Tests skip without it, except in CI
     * (CI=true), where its absence is a broken install and fails them.
     */
    public static Path require() {
        String configured = System.getenv("CLAUDE_CODE_BIN");
        Path found = configured != null && !configured.isBlank() ? Path.of(configured) : onPath("claude");
        boolean present = found != null && Files.isExecutable(found);
        Skip.unlessInstalled(present, "Claude Code CLI not found: install the version CI pins,"
                + " 'npm install -g " + NPM_PACKAGE + "', or set CLAUDE_CODE_BIN to its claude");
        return found;
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Runs {@code claude -p PROMPT --output-format json} with a throwaway HOME and returns its parsed result;
     * {@code extraEnv} adds to or overrides the environment, an empty value unsetting a variable.
     */
    public static JsonNode print(Path claude, Path home, String apiBaseUrl, int receiverPort, String prompt,
                                 Map<String, String> extraEnv) throws IOException, InterruptedException {
        return print(claude, home, Files.createDirectories(home.resolve("project")), apiBaseUrl, receiverPort, prompt,
                extraEnv);
    }

    /** As {@link #print(Path, Path, String, int, String, Map)}, run in {@code project} (its cwd, its git branch). */
    public static JsonNode print(Path claude, Path home, Path project, String apiBaseUrl, int receiverPort,
                                 String prompt, Map<String, String> extraEnv) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(claude.toString(), "-p", prompt, "--output-format", "json"));
        var builder = new ProcessBuilder(command).directory(project.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("OTEL_") || key.startsWith("ANTHROPIC_") || key.startsWith("CLAUDE_"));
        env.put("HOME", home.toString());
        env.put("ANTHROPIC_BASE_URL", apiBaseUrl);
        env.put("ANTHROPIC_API_KEY", "sk-ant-test");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("CLAUDE_CODE_ENABLE_TELEMETRY", "1");
        env.put("OTEL_METRICS_EXPORTER", "otlp");
        env.put("OTEL_LOGS_EXPORTER", "otlp");
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiverPort);
        env.put("OTEL_METRIC_EXPORT_INTERVAL", "1000");
        env.put("OTEL_LOGS_EXPORT_INTERVAL", "1000");
        extraEnv.forEach((key, value) -> { // an empty value unsets the variable
            if (value.isEmpty()) {
                env.remove(key);
            } else {
                env.put(key, value);
            }
        });
        Path stdout = home.resolve("claude.out");
        Path stderr = home.resolve("claude.err");
        Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("claude did not finish: " + Files.readString(stderr));
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        Assertions.assertEquals(0, process.exitValue(), () -> "claude failed: " + out + readQuietly(stderr));
        JsonNode result = new ObjectMapper().readTree(out);
        Assertions.assertFalse(result.path("is_error").asBoolean(), out);
        return result;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
