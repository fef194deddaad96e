package dev.tokenmetrics.e2e;

import dev.tokenmetrics.receiver.Skip;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A terminal program under tmux, on a private tmux server: start it, type into it, read its screen. */
final class Tmux implements AutoCloseable {

    private final String socket = "ctm-e2e-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    /** Skips without tmux, except in CI (CI=true), where its absence is a broken install and fails. */
    static Tmux require() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/tmux")) || Files.isExecutable(Path.of("/usr/local/bin/tmux"))
                || Files.isExecutable(Path.of("/opt/homebrew/bin/tmux"));
        Skip.unlessInstalled(present, "tmux not found: install it (apt-get install tmux) to drive the Claude Code TUI");
        return new Tmux();
    }

    /** Starts the command (run directly, no shell) in a 200x50 window with exactly the given environment added. */
    void start(Path directory, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        var args = new ArrayList<>(List.of("new-session", "-d", "-s", "main", "-x", "200", "-y", "50",
                "-c", directory.toString(), "env"));
        env.forEach((key, value) -> args.add(key + "=" + value));
        args.addAll(command);
        tmux(args);
    }

    void type(String text) throws IOException, InterruptedException {
        tmux(List.of("send-keys", "-t", "main", "-l", text));
        Thread.sleep(200); // the point: an Enter that arrives with the text is taken as part of a paste, not a submit
        tmux(List.of("send-keys", "-t", "main", "Enter"));
    }

    String screen() throws IOException, InterruptedException {
        return tmux(List.of("capture-pane", "-p", "-t", "main"));
    }

    /** Waits for the screen to satisfy the condition; fails with the last screen seen. */
    String awaitScreen(Predicate<String> condition, Duration timeout, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String screen = screen();
        while (!condition.test(screen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the screen never showed " + what + "; last screen:\n" + screen);
            }
            Thread.sleep(250);
            screen = screen();
        }
        return screen;
    }

    /** Waits until the program has exited and tmux with it, so that nothing still writes into its HOME. */
    void awaitExit(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process probe = new ProcessBuilder("tmux", "-L", socket, "has-session", "-t", "main")
                    .redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            if (probe.waitFor() != 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the program under tmux did not exit; last screen:\n" + screen());
    }

    private String tmux(List<String> args) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null")); // not the user's tmux.conf
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("tmux " + args + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing left to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
