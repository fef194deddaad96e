package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.StreamId;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads an aggregator's whole state, stream bookkeeping included, so that a restarted daemon continues
 * exactly where it stopped: a client that goes on sending cumulative totals is not counted twice.
 */
public final class AggregatorCodec {

    private static final int FORMAT = 1;

    private AggregatorCodec() {
    }

    public static void write(UsageAggregator aggregator, DataOutput out) throws IOException {
        out.writeInt(FORMAT);
        Map<StreamId, StreamState> streams = aggregator.streams.streams();
        out.writeInt(streams.size());
        for (Map.Entry<StreamId, StreamState> entry : streams.entrySet()) {
            out.writeLong(entry.getKey().high());
            out.writeLong(entry.getKey().low());
            if (entry.getValue() instanceof CumulativeState cumulative) {
                out.writeByte('C');
                out.writeLong(cumulative.startNanos());
                out.writeLong(cumulative.lastTimeNanos());
                out.writeDouble(cumulative.lastValue());
            } else {
                var delta = (DeltaState) entry.getValue();
                out.writeByte('D');
                out.writeInt(delta.windowCount());
                for (int i = 0; i < delta.windowCount(); i++) {
                    out.writeLong(delta.windowStart(i));
                    out.writeLong(delta.windowTime(i));
                }
            }
        }
        out.writeInt(aggregator.sessions.size());
        for (Map.Entry<String, SessionState> entry : aggregator.sessions.entrySet()) {
            SessionState session = entry.getValue();
            out.writeUTF(entry.getKey());
            writeUsages(session.models, out);
            out.writeLong(session.firstNanos);
            out.writeLong(session.lastNanos);
            out.writeUTF(session.lastModel);
            writeStrings(session.resource, out);
            out.writeLong(session.apiRequests);
            out.writeInt(session.recentTokens.size());
            for (long[] entryTokens : session.recentTokens) {
                out.writeLong(entryTokens[0]);
                out.writeLong(entryTokens[1]);
            }
            out.writeInt(session.countedEvents.size());
            for (long key : session.countedEvents) {
                out.writeLong(key);
            }
        }
        out.writeInt(aggregator.days.size());
        for (Map.Entry<LocalDate, Usage> day : aggregator.days.entrySet()) {
            out.writeLong(day.getKey().toEpochDay());
            writeUsage(day.getValue(), out);
        }
    }

    public static UsageAggregator read(DataInput in, ZoneId zone) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("unknown state format " + format);
        }
        var aggregator = new UsageAggregator(zone);
        int streams = in.readInt();
        for (int i = 0; i < streams; i++) {
            var id = new StreamId(in.readLong(), in.readLong());
            int kind = in.readByte();
            if (kind == 'C') {
                aggregator.streams.streams().put(id, new CumulativeState(in.readLong(), in.readLong(), in.readDouble()));
            } else if (kind == 'D') {
                var delta = new DeltaState();
                int windows = in.readInt();
                for (int w = 0; w < windows; w++) {
                    delta.firstSighting(in.readLong(), in.readLong());
                }
                aggregator.streams.streams().put(id, delta);
            } else {
                throw new IOException("unknown stream kind " + kind);
            }
        }
        int sessions = in.readInt();
        for (int i = 0; i < sessions; i++) {
            String id = in.readUTF();
            var session = new SessionState();
            session.models.putAll(readUsages(in));
            session.firstNanos = in.readLong();
            session.lastNanos = in.readLong();
            session.lastModel = in.readUTF();
            session.resource = readStrings(in);
            session.apiRequests = in.readLong();
            int recent = in.readInt();
            for (int r = 0; r < recent; r++) {
                session.recentTokens.addLast(new long[] {in.readLong(), in.readLong()});
            }
            int events = in.readInt();
            for (int e = 0; e < events; e++) {
                session.countedEvents.add(in.readLong());
            }
            aggregator.sessions.put(id, session);
        }
        int days = in.readInt();
        for (int i = 0; i < days; i++) {
            aggregator.days.put(LocalDate.ofEpochDay(in.readLong()), readUsage(in));
        }
        return aggregator;
    }

    private static void writeUsages(Map<String, Usage> usages, DataOutput out) throws IOException {
        out.writeInt(usages.size());
        for (Map.Entry<String, Usage> entry : usages.entrySet()) {
            out.writeUTF(entry.getKey());
            writeUsage(entry.getValue(), out);
        }
    }

    private static Map<String, Usage> readUsages(DataInput in) throws IOException {
        int size = in.readInt();
        var usages = new LinkedHashMap<String, Usage>();
        for (int i = 0; i < size; i++) {
            usages.put(in.readUTF(), readUsage(in));
        }
        return usages;
    }

    private static void writeUsage(Usage usage, DataOutput out) throws IOException {
        TokenCounts tokens = usage.tokens();
        out.writeLong(tokens.input());
        out.writeLong(tokens.output());
        out.writeLong(tokens.cacheRead());
        out.writeLong(tokens.cacheCreation());
        out.writeUTF(usage.costUsd().toString());
    }

    private static Usage readUsage(DataInput in) throws IOException {
        var tokens = new TokenCounts(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        try {
            return new Usage(tokens, new BigDecimal(in.readUTF()));
        } catch (NumberFormatException e) {
            throw new IOException("corrupt cost in state", e);
        }
    }

    private static void writeStrings(Map<String, String> strings, DataOutput out) throws IOException {
        out.writeInt(strings.size());
        for (Map.Entry<String, String> entry : strings.entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeUTF(entry.getValue());
        }
    }

    private static Map<String, String> readStrings(DataInput in) throws IOException {
        int size = in.readInt();
        var strings = new LinkedHashMap<String, String>();
        for (int i = 0; i < size; i++) {
            strings.put(in.readUTF(), in.readUTF());
        }
        return Map.copyOf(strings);
    }
}
