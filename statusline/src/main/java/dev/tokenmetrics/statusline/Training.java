package dev.tokenmetrics.statusline;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code claude-statusline --train}: renders every kind of line once against sample files in a temporary directory,
 * so that a JVM recording a start-up cache (AOT cache or CDS archive) sees every class a real render loads. Touches
 * none of the user's files; prints the sample lines, which the launcher discards.
 * <p>
 * It must load nothing a real render does not: an AOT cache loads every class of the training run at each start.
 * Hence java.io files like the renders use, and no java.time (the clock is passed in).
 */
final class Training {

    private static final String TIMESTAMP = "2026-01-01T00:00:00.000Z";

    private Training() {
    }

    static void run() throws IOException {
        File home = new File(System.getProperty("java.io.tmpdir"), "claude-statusline-training-" + System.nanoTime());
        File claudeDir = new File(home, ".claude");
        File transcript = new File(home, "session.jsonl");
        File metrics = new File(claudeDir, "token-metrics.json");
        try {
            var lines = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                lines.append("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n");
                lines.append("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_").append(i).append("\",\"usage\":{")
                        .append("\"input_tokens\":3,\"output_tokens\":7,\"cache_read_input_tokens\":100,")
                        .append("\"cache_creation_input_tokens\":5}},\"requestId\":\"req_").append(i).append("\"}\n");
            }
            Io.replace(transcript, lines.toString().getBytes(StandardCharsets.UTF_8));
            Io.replace(metrics, ("{\"schemaVersion\":1,\"timestamp\":\"" + TIMESTAMP + "\",\"model\":\"claude-opus-4-1\","
                    + "\"today\":{\"date\":\"2026-01-01\",\"costUsd\":1.5},"
                    + "\"block\":{\"end\":\"2026-01-01T05:00:00Z\",\"costUsd\":0.5,\"projectedCostUsd\":2.5},"
                    + "\"sessions\":{\"training\":{\"tokens\":"
                    + "{\"input\":1,\"output\":2,\"cacheRead\":3,\"cacheCreation\":4,\"total\":10},\"costUsd\":0.5,"
                    + "\"tokensPerMinute\":12,\"model\":\"m\"}}}").getBytes(StandardCharsets.UTF_8));
            String stdin = "{\"session_id\":\"training\",\"transcript_path\":\"" + transcript
                    + "\",\"model\":{\"id\":\"claude-opus-4-1\",\"display_name\":\"Opus 4.1\"},"
                    + "\"cost\":{\"total_cost_usd\":0.5},\"context_window\":{\"used_percentage\":3}}";
            Map<String, String> env = new HashMap<>(System.getenv()); // as a real render reads it
            env.put("HOME", home.toString());
            env.remove("CLAUDE_TOKEN_METRICS_FILE");
            env.remove("CLAUDE_TOKEN_TRACKING");
            long now = Times.parseIsoMillis(TIMESTAMP) + 1_000;
            render(env, stdin, now, "--daily-budget", "1");                       // fresh, budget colours
            render(env, stdin, now, "--format", "block,context,hourly");         // the optional segments
            render(env, stdin.replace("\"training\"", "\"elsewhere\""), now);    // fallback, transcript estimate
            render(env, stdin.replace("\"training\"", "\"elsewhere\""), now);    // fallback, from the cache
            render(env, stdin, now + 3_600_000L);                                // stale
            render(env, "{broken", now);                                          // malformed stdin
        } finally {
            delete(home);
        }
    }

    private static void render(Map<String, String> env, String stdin, long now, String... args) {
        Main.print(Main.run(args, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), now));
    }

    private static void delete(File file) {
        File[] entries = file.listFiles();
        if (entries != null) {
            for (File entry : entries) {
                delete(entry);
            }
        }
        file.delete();
    }
}
