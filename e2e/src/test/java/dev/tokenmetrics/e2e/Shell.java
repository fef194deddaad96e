package dev.tokenmetrics.e2e;

import dev.tokenmetrics.receiver.Skip;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a script in a real bash or zsh with a scratch HOME, as a user's shell would. */
final class Shell {

    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final Path SCRIPTS = REPO.resolve("scripts");

    record Result(int exitCode, String out, String err) {
        String both() {
            return out + err;
        }
    }

    private Shell() {
    }

    /** The shell's path; skips without it, except in CI (CI=true) where that is a broken install. */
    static String require(String name) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin", "/opt/homebrew/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        Skip.unlessInstalled(false, name + " not found: install it (apt-get install " + name + ") to test the shell"
                + " scripts with it");
        return null;
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** What GET /health on the port answers, or null when nothing does: the receiver the scripts started. */
    static String health(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return null;
        }
    }

    /** Runs {@code script} with {@code shell -c} in {@code home}, its environment cleared of our variables first. */
    static Result run(String shell, Path home, Map<String, String> env, String script) throws Exception {
        var builder = new ProcessBuilder(shell, "-c", script).directory(REPO.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("OTEL_") || key.startsWith("CLAUDE_TOKEN")
                || key.startsWith("CLAUDE_CODE_") || key.equals("ZDOTDIR"));
        environment.put("HOME", home.toString());
        environment.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        environment.putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        var out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the process went away
            }
        });
        reader.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + script);
        }
        reader.join();
        return new Result(process.exitValue(), out.toString(), err);
    }
}
