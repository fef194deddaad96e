package dev.tokenmetrics.reports;

import dev.tokenmetrics.receiver.RunningReceiver;
import java.nio.file.Path;

/**
 * For bench/reports-bench.sh: has the receiver import the transcripts under {@code HOME/.claude/projects} into its
 * ledger, {@code HOME/.claude/token-metrics/usage.db}, as it does at start, and prints how long that took.
 */
public final class ImportTranscripts {
    private ImportTranscripts() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        try (RunningReceiver receiver = RunningReceiver.start(Path.of(args[0]))) {
            // one import waits at most 30 s; a year of history takes longer, so wait again while it goes on
            for (int attempt = 1; ; attempt++) {
                try {
                    receiver.importTranscripts();
                    break;
                } catch (AssertionError stillRunning) {
                    if (attempt == 20) {
                        throw stillRunning;
                    }
                }
            }
        }
        System.out.printf("import: %.1f s%n", (System.nanoTime() - start) / 1e9);
    }
}
