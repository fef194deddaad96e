package dev.tokenmetrics.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A throwaway HOME in which the Claude Code TUI starts straight at its prompt. */
final class ClaudeHome {

    static final String API_KEY = "sk-ant-test-0123456789abcdefghij";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClaudeHome() {
    }

    /**
     * Writes ~/.claude.json as after onboarding, with the project's trust dialog accepted and the test API key
     * approved (Claude Code remembers approved keys by their last 20 characters).
     */
    static void prepare(Path home, Path project) throws IOException {
        ObjectNode state = JSON.createObjectNode().put("hasCompletedOnboarding", true).put("numStartups", 5)
                .put("theme", "dark");
        state.putObject("customApiKeyResponses").putArray("approved").add(API_KEY.substring(API_KEY.length() - 20));
        state.putObject("projects").putObject(project.toString()).put("hasTrustDialogAccepted", true)
                .put("hasCompletedProjectOnboarding", true);
        Files.createDirectories(home.resolve(".claude"));
        JSON.writeValue(home.resolve(".claude.json").toFile(), state);
    }

    /** Sets the statusLine command in ~/.claude/settings.json, re-run every second. */
    static void statusLine(Path home, String command) throws IOException {
        ObjectNode settings = JSON.createObjectNode();
        settings.putObject("statusLine").put("type", "command").put("command", command).put("refreshInterval", 1);
        JSON.writeValue(home.resolve(".claude/settings.json").toFile(), settings);
    }
}
