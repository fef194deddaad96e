package dev.tokenmetrics.receiver.publish;

import dev.tokenmetrics.receiver.aggregate.SessionReport;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The statusline's fast path (docs/STATUSLINE.md): beside the metrics file, {@code token-metrics.live.tsv} holds,
 * from the same report, exactly the figures the statusline reads from the metrics file, as tab-separated lines that
 * awk, started by the statusline's shell script, reads in a fraction of a millisecond. A header, then the most
 * recently active sessions:
 * <pre>
 * ctm-live  1  timestampMillis  todayCostUsd  model
 * ctm-block  startMillis  endMillis  tokens  costUsd  projectedCostUsd   (when a 5-hour block is active)
 * sessionId  tokens  costUsd  tokensPerMinute  model
 * </pre>
 * Text that awk could not compare or print exactly as the Java statusline would (anything but printable ASCII, or a
 * backslash) is never written: such a session is left out, and such a header model leaves no file at all, so the
 * reader falls back to the Java statusline, which reads the metrics file.
 */
public final class LiveFile {

    public static final String MAGIC = "ctm-live";
    /** The first field of the block's line; its six fields never match a session's five. */
    public static final String BLOCK = "ctm-block";
    public static final int FORMAT_VERSION = 1;
    /** Enough for every session a person runs at once; the reader's time grows with it. */
    public static final int MAX_SESSIONS = 200;
    /** The Java statusline ignores a count above this (9e15); larger sums lose digits in awk's doubles. */
    private static final long COUNT_LIMIT = 9_000_000_000_000_000L;
    private static final long SUM_LIMIT = 1L << 53;

    private final Path path;

    public LiveFile(Path path) {
        this.path = path;
    }

    /** {@code token-metrics.json} → {@code token-metrics.live.tsv}; any other name gets {@code .live.tsv} appended. */
    public static Path besideMetricsFile(Path metricsFile) {
        String name = metricsFile.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return metricsFile.resolveSibling(stem + ".live.tsv");
    }

    public Path path() {
        return path;
    }

    /** Replaces the file atomically; when that fails, removes it, so that no reader takes an old one for current. */
    public void write(UsageReport report) throws IOException {
        write(report, null);
    }

    /** {@code block}: the machine's active 5-hour block, or null when none is active (the file then has none). */
    public void write(UsageReport report, BlockReport block) throws IOException {
        try {
            byte[] content = render(report, block);
            if (content == null) {
                Files.deleteIfExists(path);
                return;
            }
            AtomicFiles.write(path, content, AtomicFiles.Durability.REPLACED);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // the write's own failure is the one worth reporting
            }
            throw e;
        }
    }

    /** The file's bytes, or null when the header cannot be written safely. */
    byte[] render(UsageReport report) {
        return render(report, null);
    }

    byte[] render(UsageReport report, BlockReport block) {
        String fileModel = report.sessions().isEmpty() ? "" : report.sessions().get(0).lastModel();
        if (!safe(fileModel)) {
            return null;
        }
        var out = new StringBuilder(64 + Math.min(report.sessions().size(), MAX_SESSIONS) * 96);
        out.append(MAGIC).append('\t').append(FORMAT_VERSION).append('\t').append(report.generatedAt().toEpochMilli())
                .append('\t').append(cost(report.todayUsage().costUsd())).append('\t').append(fileModel).append('\n');
        if (block != null) { // a count awk cannot hold exactly is "-", which sends the reader to the Java statusline
            long tokens = block.tokens().total();
            out.append(BLOCK).append('\t').append(block.start().toEpochMilli()).append('\t')
                    .append(block.end().toEpochMilli()).append('\t').append(tokens < SUM_LIMIT ? tokens : "-")
                    .append('\t').append(costOrDash(block.costUsd())).append('\t')
                    .append(costOrDash(block.projectedCostUsd())).append('\n');
        }
        int written = 0;
        for (SessionReport session : report.sessions()) {
            if (written == MAX_SESSIONS) {
                break;
            }
            TokenCounts tokens = session.usage().tokens();
            if (!safe(session.sessionId()) || session.sessionId().isEmpty() || !safe(session.lastModel())
                    || !exact(tokens) || session.tokensPerMinute() > COUNT_LIMIT) {
                continue;
            }
            out.append(session.sessionId()).append('\t').append(tokens.total()).append('\t')
                    .append(cost(session.usage().costUsd())).append('\t').append(session.tokensPerMinute()).append('\t')
                    .append(session.lastModel()).append('\n');
            written++;
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The metrics file's own decimal text, so both files parse to the same double. */
    private static String cost(BigDecimal usd) {
        return MetricsFile.roundCost(usd).toPlainString();
    }

    /** "-" for a cost nobody knows: the block of unpriced requests only. */
    private static String costOrDash(BigDecimal usd) {
        return usd == null ? "-" : cost(usd);
    }

    private static boolean exact(TokenCounts tokens) {
        return tokens.input() <= COUNT_LIMIT && tokens.output() <= COUNT_LIMIT && tokens.cacheRead() <= COUNT_LIMIT
                && tokens.cacheCreation() <= COUNT_LIMIT && tokens.total() < SUM_LIMIT;
    }

    static boolean safe(String text) {
        if (text == null) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
