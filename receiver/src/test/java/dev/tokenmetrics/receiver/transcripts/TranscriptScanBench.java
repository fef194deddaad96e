package dev.tokenmetrics.receiver.transcripts;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One benchmark run, in a fresh JVM as a user's first scan would be: a full scan of a history, then a re-scan of it
 * unchanged. Prints one line of figures for bench/transcripts-bench.sh.
 *
 * <p>Usage: {@code TranscriptScanBench <projects dir> [threads, default 1]}
 */
public final class TranscriptScanBench {

    private TranscriptScanBench() {
    }

    public static void main(String[] args) {
        TranscriptScanner scanner = new TranscriptScanner(Path.of(args[0]), new TranscriptReader(),
                args.length > 1 ? Integer.parseInt(args[1]) : 1);

        // what a ledger would hold: one row per request key, the later line winning
        Map<String, TranscriptRequest> ledger = new HashMap<>();
        long[] costStates = new long[1];
        long[] malformed = new long[1];
        long start = System.nanoTime();
        ScanResult full = scanner.scan(ScanState.EMPTY, update -> {
            update.chunk().requests().forEach(request -> ledger.put(request.key(), request));
            costStates[0] += update.chunk().costStates().size();
            malformed[0] += update.chunk().malformed();
        });
        long fullNanos = System.nanoTime() - start;
        start = System.nanoTime();
        ScanResult again = scanner.scan(full.state(), update -> { });
        long againNanos = System.nanoTime() - start;

        long requests = ledger.size();
        long[] tokens = new long[4];
        ledger.values().forEach(r -> {
            tokens[0] += r.inputTokens();
            tokens[1] += r.outputTokens();
            tokens[2] += r.cacheReadTokens();
            tokens[3] += r.cacheCreationTokens();
        });
        // key=value pairs, for the script to pick from
        System.out.printf("files=%d bytes=%d requests=%d cost_states=%d malformed=%d full_ms=%.1f mb_per_s=%.1f"
                        + " rescan_ms=%.2f rescan_opened=%d failed=%d tokens=%d/%d/%d/%d%n",
                full.filesSeen(), full.bytesRead(), requests, costStates[0], malformed[0], fullNanos / 1e6,
                full.bytesRead() / 1e6 / (fullNanos / 1e9), againNanos / 1e6, again.filesOpened(),
                full.failed().size(), tokens[0], tokens[1], tokens[2], tokens[3]);
    }
}
