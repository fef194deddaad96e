package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.StreamId;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes and reads an aggregator's whole state, stream bookkeeping included, so that a restarted daemon continues
 * exactly where it stopped: a client that goes on sending cumulative totals is not counted twice. Streams and
 * sessions are written least recently updated first and read back in that order, so that a restored aggregator
 * evicts as the original would have, and encodes the same. Format 1 (before memory was bounded) is still read.
 */
public final class AggregatorCodec {

    private static final int FORMAT = 2;
    private static final int FORMAT_UNBOUNDED = 1;

    private AggregatorCodec() {
    }

    public static void write(UsageAggregator aggregator, DataOutput out) throws IOException {
        UsageAggregator.State state = aggregator.state();
        out.writeInt(FORMAT);
        out.writeLong(state.nextCompactionNanos());
        out.writeInt(state.streams().size());
        for (Map.Entry<StreamId, StreamState> entry : state.streams()) {
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
        out.writeInt(state.sessions().size());
        for (Map.Entry<String, SessionState> entry : state.sessions()) {
            SessionState session = entry.getValue();
            out.writeUTF(entry.getKey());
            writeUsages(session.models, out);
            out.writeLong(session.firstNanos);
            out.writeLong(session.lastNanos);
            out.writeUTF(session.lastModel);
            writeStrings(session.resource, out);
            out.writeLong(session.apiRequests);
            out.writeInt(session.burnBuckets());
            for (int i = 0; i < session.burnBuckets(); i++) {
                out.writeLong(session.burnBucketStart(i));
                out.writeLong(session.burnBucketTokens(i));
            }
        }
        out.writeInt(state.countedEvents().size());
        for (long key : state.countedEvents()) {
            out.writeLong(key);
        }
        out.writeInt(state.days().size());
        for (Map.Entry<LocalDate, Usage> day : state.days().entrySet()) {
            out.writeLong(day.getKey().toEpochDay());
            writeUsage(day.getValue(), out);
        }
    }

    public static UsageAggregator read(DataInput in, ZoneId zone) throws IOException {
        int format = in.readInt();
        if (format != FORMAT && format != FORMAT_UNBOUNDED) {
            throw new IOException("unknown state format " + format);
        }
        boolean unbounded = format == FORMAT_UNBOUNDED;
        long nextCompactionNanos = unbounded ? Long.MIN_VALUE : in.readLong();
        var streams = new ArrayList<Map.Entry<StreamId, StreamState>>();
        int streamCount = in.readInt();
        for (int i = 0; i < streamCount; i++) {
            streams.add(Map.entry(new StreamId(in.readLong(), in.readLong()), readStream(in)));
        }
        var sessions = new ArrayList<Map.Entry<String, SessionState>>();
        var events = new ArrayList<Long>();
        int sessionCount = in.readInt();
        for (int i = 0; i < sessionCount; i++) {
            sessions.add(Map.entry(in.readUTF(), readSession(in, unbounded, events)));
        }
        int eventCount = unbounded ? 0 : in.readInt();
        for (int i = 0; i < eventCount; i++) {
            events.add(in.readLong());
        }
        if (unbounded) {
            // Format 1 kept no order of use: the nearest is the order of the last points.
            streams.sort(Comparator.comparingLong(entry -> entry.getValue().lastTimeNanos()));
            sessions.sort(Comparator.comparingLong(entry -> entry.getValue().lastNanos));
        }
        var days = new TreeMap<LocalDate, Usage>();
        int dayCount = in.readInt();
        for (int i = 0; i < dayCount; i++) {
            days.put(LocalDate.ofEpochDay(in.readLong()), readUsage(in));
        }
        return UsageAggregator.restore(zone, new UsageAggregator.State(nextCompactionNanos, streams, sessions, events,
                days));
    }

    private static StreamState readStream(DataInput in) throws IOException {
        int kind = in.readByte();
        if (kind == 'C') {
            return new CumulativeState(in.readLong(), in.readLong(), in.readDouble());
        }
        if (kind != 'D') {
            throw new IOException("unknown stream kind " + kind);
        }
        var delta = new DeltaState();
        int windows = in.readInt();
        for (int w = 0; w < windows; w++) {
            delta.firstSighting(in.readLong(), in.readLong());
        }
        return delta;
    }

    /** Reads a session; format 1 kept its event keys with it, which go to {@code events}. */
    private static SessionState readSession(DataInput in, boolean unbounded, List<Long> events) throws IOException {
        var session = new SessionState();
        for (Map.Entry<String, Usage> model : readUsages(in).entrySet()) {
            session.restoreModel(model.getKey(), model.getValue());
        }
        session.firstNanos = in.readLong();
        session.lastNanos = in.readLong();
        session.restoreLastModel(in.readUTF());
        session.resource(readStrings(in));
        session.apiRequests = in.readLong();
        int buckets = in.readInt();
        for (int b = 0; b < buckets; b++) {
            session.restoreBurn(in.readLong(), in.readLong());
        }
        int sessionEvents = unbounded ? in.readInt() : 0;
        for (int e = 0; e < sessionEvents; e++) {
            events.add(in.readLong());
        }
        return session;
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
