package dev.tokenmetrics.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command of TESTING-PROTOCOL.md's {@code sh} blocks, run in order, exactly as written, in one bash session
 * with a scratch HOME: the protocol must work as a user will type it. (Its {@code text} steps are typed inside
 * Claude Code; LaunchWrapperTuiTest covers them.)
 */
class ProtocolTest {

    @TempDir
    Path home;

    static List<String> shellBlocks(String markdown) {
        var blocks = new ArrayList<String>();
        StringBuilder block = null;
        for (String line : markdown.split("\n", -1)) {
            if (block == null && line.equals("```sh")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    @Test
    void everyCommandWorksAsWritten() throws Exception {
        List<String> blocks = shellBlocks(Files.readString(Shell.REPO.resolve("TESTING-PROTOCOL.md")));
        assertTrue(blocks.size() >= 6, "the protocol's runnable steps were found: " + blocks.size());
        var script = new StringBuilder("set -euo pipefail\n");
        for (int i = 0; i < blocks.size(); i++) {
            script.append("echo '--- step ").append(i + 1).append("'\n").append(blocks.get(i));
        }
        var env = new LinkedHashMap<String, String>();
        env.put("CLAUDE_TOKEN_METRICS_SKIP_BUILD", "1"); // the same mvn verify built the jars moments ago

        var result = Shell.run(Shell.require("bash"), home, env, script.toString());

        assertEquals(0, result.exitCode(), result.both());
        String out = result.out();
        assertTrue(out.contains("All checks passed"), out);
        assertTrue(out.contains("\"service\":\"claude-token-metrics-receiver\""), out);
        assertTrue(out.contains("\"sessionId\""), out);
        assertTrue(out.contains("token tracking: on"), out);
        assertTrue(out.contains("token tracking: off"), out);
        assertTrue(out.contains("token-metrics receiver stopped"), out);
        assertTrue(out.contains("claude-token-metrics uninstalled"), out);
        assertTrue(Files.notExists(home.resolve(".local/share/claude-token-metrics")));
    }
}
