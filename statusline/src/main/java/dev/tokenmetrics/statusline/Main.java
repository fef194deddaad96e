package dev.tokenmetrics.statusline;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code claude-statusline}: Claude Code's statusLine command. Whatever happens it prints one line and exits 0,
 * because a failing or silent command blanks the status row: on an unexpected failure it prints the last good line
 * shown for the session. It touches no network and writes nothing to stderr.
 */
public final class Main {

    static final int MAX_STDIN_BYTES = 1 << 20;
    static final int MAX_METRICS_BYTES = 32 << 20;

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--train")) {
            try {
                Training.run();
            } catch (IOException | RuntimeException e) {
                // a failed training run only means a slower start
            }
            return;
        }
        String line;
        try {
            line = run(args, System.getenv(), System.in, System.currentTimeMillis());
        } catch (Throwable unexpected) {
            line = "🤖 Claude Code";
        }
        print(line);
    }

    /** UTF-8 whatever the locale: a C locale would turn the emoji into question marks. */
    static void print(String line) {
        try {
            var out = new FileOutputStream(FileDescriptor.out);
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // Claude Code went away; nobody is left to tell
        }
    }

    /** Renders the line; the seam through which tests make rendering fail. */
    interface Renderer {
        String render(StatusInput input, Options options, long nowMillis);
    }

    /** A class rather than a method reference: invokedynamic would cost start-up time. */
    static final class StandardRenderer implements Renderer {
        @Override
        public String render(StatusInput input, Options options, long nowMillis) {
            return Main.render(input, options, nowMillis);
        }
    }

    static String run(String[] args, Map<String, String> env, InputStream stdin, long nowMillis) {
        return run(args, env, stdin, nowMillis, new StandardRenderer());
    }

    static String run(String[] args, Map<String, String> env, InputStream stdin, long nowMillis, Renderer renderer) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return Options.USAGE.trim();
            }
        }
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (Options.Invalid e) {
            return "⚠ claude-statusline: " + e.getMessage();
        }
        StatusInput input = StatusInput.EMPTY;
        try {
            input = StatusInput.parse(stdin.readNBytes(MAX_STDIN_BYTES));
            String line = renderer.render(input, options, nowMillis);
            remember(options, input, line);
            return line;
        } catch (Throwable unexpected) {
            String last = lastGoodLine(options, input);
            if (last != null) {
                return last;
            }
            String model = input.modelDisplayName() != null ? input.modelDisplayName() : input.modelId();
            return "🤖 " + (model != null ? model : "Claude Code");
        }
    }

    static String render(StatusInput input, Options options, long nowMillis) {
        Metrics metrics = options.trackingDisabled() ? null : readMetrics(options.metricsFile(), input.sessionId());
        boolean fresh = !options.trackingDisabled() && input.sessionId() != null
                && StatusLine.isFresh(metrics, nowMillis, options.maxAgeSeconds());
        long estimate = -1;
        if (!fresh && input.transcriptPath() != null && containsSegment(options, "tokens")) {
            estimate = TranscriptEstimate.tokens(new File(input.transcriptPath()), options.cacheDir());
        }
        return StatusLine.render(input, metrics, fresh, estimate, options, nowMillis);
    }

    /** The file's view of the session, or null when it is missing, unreadable, too large or corrupt. */
    static Metrics readMetrics(File file, String sessionId) {
        if (file == null || file.length() > MAX_METRICS_BYTES) {
            return null;
        }
        try {
            return Metrics.parse(Io.read(file), sessionId);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean containsSegment(Options options, String name) {
        for (String segment : options.segments()) {
            if (segment.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static File lastLinePath(Options options, StatusInput input) {
        if (options.cacheDir() == null || input.sessionId() == null) {
            return null;
        }
        return new File(options.cacheDir(), "last-" + Long.toHexString(TranscriptEstimate.hash(input.sessionId(), "")) + ".txt");
    }

    /** Keeps the line for this session, for the rare render that fails; written only when it changed. */
    private static void remember(Options options, StatusInput input, String line) {
        File path = lastLinePath(options, input);
        if (path == null || line.isEmpty()) {
            return;
        }
        try {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            if (path.length() == bytes.length && java.util.Arrays.equals(Io.read(path), bytes)) {
                return;
            }
            Io.replace(path, bytes);
        } catch (IOException | RuntimeException e) {
            // an unwritable cache costs only the fallback line
        }
    }

    private static String lastGoodLine(Options options, StatusInput input) {
        try {
            File path = lastLinePath(options, input);
            return path == null ? null : new String(Io.read(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
