package dev.tokenmetrics.receiver.publish;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.tokenmetrics.receiver.aggregate.SessionReport;
import dev.tokenmetrics.receiver.aggregate.TokenCounts;
import dev.tokenmetrics.receiver.aggregate.Usage;
import dev.tokenmetrics.receiver.aggregate.UsageReport;
import dev.tokenmetrics.receiver.store.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ~/.claude/token-metrics.json}: what the statusline and other readers see. Rewritten whole and atomically.
 * The top-level totals, totalUsed and model describe the most recently active session, as the older single-session
 * format of this file did, so its readers keep working. {@code today} comes before {@code sessions}, and sessions
 * are most recently active first, so a reader looking for the current session can stop early: its cost does not
 * grow with the number of sessions in the file.
 */
public final class MetricsFile {

    public static final int SCHEMA_VERSION = 1;
    /** Costs are written to 1e-10 USD: far below any bill's precision, and free of binary-float noise. */
    private static final int COST_DECIMALS = 10;

    private final Path path;
    private final JsonFactory factory = JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    public MetricsFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public void write(UsageReport report) throws IOException {
        write(report, null);
    }

    /** {@code block}: the machine's active 5-hour block, or null when none is active (the file then has none). */
    public void write(UsageReport report, BlockReport block) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        // No directory fsync: the file is derived from the journal and rewritten every few seconds anyway.
        AtomicFiles.write(path, render(report, block), AtomicFiles.Durability.REPLACED);
    }

    public static BigDecimal roundCost(BigDecimal cost) {
        BigDecimal rounded = cost.setScale(COST_DECIMALS, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.signum() == 0 ? BigDecimal.ZERO : rounded;
    }

    byte[] render(UsageReport report) {
        return render(report, null);
    }

    byte[] render(UsageReport report, BlockReport block) {
        var out = new ByteArrayOutputStream(1024 + report.sessions().size() * 512);
        try (JsonGenerator json = factory.createGenerator(out)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeNumberField("schemaVersion", SCHEMA_VERSION);
            json.writeStringField("timestamp", report.generatedAt().toString());
            SessionReport latest = report.sessions().isEmpty() ? null : report.sessions().get(0);
            TokenCounts latestTokens = latest == null ? TokenCounts.ZERO : latest.usage().tokens();
            json.writeFieldName("totals");
            writeTokens(json, latestTokens, false);
            json.writeNumberField("totalUsed", latestTokens.total());
            json.writeStringField("model", latest == null ? "" : latest.lastModel());
            json.writeStringField("sessionId", latest == null ? "" : latest.sessionId());
            json.writeObjectFieldStart("today");
            json.writeStringField("date", report.today().toString());
            writeUsage(json, report.todayUsage());
            json.writeEndObject();
            if (block != null) { // before the sessions, so the statusline's early stop has read it
                writeBlock(json, block);
            }
            json.writeObjectFieldStart("sessions");
            for (SessionReport session : report.sessions()) {
                json.writeObjectFieldStart(session.sessionId());
                writeUsage(json, session.usage());
                json.writeObjectFieldStart("models");
                for (Map.Entry<String, Usage> model : new TreeMap<>(session.models()).entrySet()) {
                    json.writeObjectFieldStart(model.getKey());
                    writeUsage(json, model.getValue());
                    json.writeEndObject();
                }
                json.writeEndObject();
                json.writeStringField("model", session.lastModel());
                json.writeStringField("firstActivity", session.firstActivity().toString());
                json.writeStringField("lastActivity", session.lastActivity().toString());
                json.writeNumberField("tokensPerMinute", session.tokensPerMinute());
                json.writeNumberField("apiRequests", session.apiRequests());
                json.writeObjectFieldStart("resource");
                for (Map.Entry<String, String> attribute : new TreeMap<>(session.resource()).entrySet()) {
                    json.writeStringField(attribute.getKey(), attribute.getValue());
                }
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeBlock(JsonGenerator json, BlockReport block) throws IOException {
        json.writeObjectFieldStart("block");
        json.writeStringField("start", block.start().toString());
        json.writeStringField("end", block.end().toString());
        json.writeStringField("firstRequest", block.firstRequest().toString());
        json.writeStringField("lastRequest", block.lastRequest().toString());
        json.writeFieldName("tokens");
        writeTokens(json, block.tokens(), true);
        writeCostOrNull(json, "costUsd", block.costUsd());
        json.writeNumberField("projectedTokens", block.projectedTokens());
        writeCostOrNull(json, "projectedCostUsd", block.projectedCostUsd());
        json.writeEndObject();
    }

    private static void writeCostOrNull(JsonGenerator json, String name, BigDecimal usd) throws IOException {
        json.writeFieldName(name);
        if (usd == null) {
            json.writeNull();
        } else {
            json.writeNumber(roundCost(usd));
        }
    }

    private static void writeUsage(JsonGenerator json, Usage usage) throws IOException {
        json.writeFieldName("tokens");
        writeTokens(json, usage.tokens(), true);
        json.writeFieldName("costUsd");
        json.writeNumber(roundCost(usage.costUsd()));
    }

    private static void writeTokens(JsonGenerator json, TokenCounts tokens, boolean withTotal) throws IOException {
        json.writeStartObject();
        json.writeNumberField("input", tokens.input());
        json.writeNumberField("output", tokens.output());
        json.writeNumberField("cacheRead", tokens.cacheRead());
        json.writeNumberField("cacheCreation", tokens.cacheCreation());
        if (withTotal) {
            json.writeNumberField("total", tokens.total());
        }
        json.writeEndObject();
    }
}
