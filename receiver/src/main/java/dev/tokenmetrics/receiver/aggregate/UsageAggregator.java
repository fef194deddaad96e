package dev.tokenmetrics.receiver.aggregate;

import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.SessionResource;
import dev.tokenmetrics.receiver.usage.StreamId;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Folds usage batches into per-session, per-model and per-day totals. Deterministic: the same batches in the same
 * order give the same state, which is what lets the journal rebuild it after a crash. Not thread-safe; the store
 * serialises access.
 * <p>
 * <b>Time.</b> A point's time is the client's word. For the day it counts in, its session's activity and the burn
 * rate, it is taken as at most {@link #FUTURE_TOLERANCE} after the batch was received: a clock a little fast is
 * believed, one from next week is not allowed to take today's place or keep a session active. Stream identity and
 * retry detection use the times as sent, since they only compare a client's times with each other. A point dated
 * before the days kept counts for its session, not for a day already dropped.
 * <p>
 * <b>Memory</b> is bounded by design, in estimated bytes (see {@link Footprint}) so that the bound is deterministic:
 * at most {@link #MAX_SESSIONS} sessions in {@link #MAX_SESSION_BYTES}, {@link #MAX_STREAMS} streams in
 * {@link #MAX_STREAM_BYTES}, the last {@link #MAX_REMEMBERED_EVENTS} event keys and eight days: {@link
 * #MAX_RETAINED_BYTES} (about 50 MiB) after every batch, whatever arrives, within the launcher's 256 MiB heap. Past
 * a bound the least recently updated sessions and streams go first. A session forgotten that way loses its totals
 * (today's keep them); should it come back, its cumulative streams count in full again.
 * <p>
 * Besides, idle state is compacted: once no exporter can still be retrying ({@link #RETRY_HORIZON}) a delta stream
 * is forgotten, and burn buckets the window has passed are dropped; once a session has left the report, its
 * resource is. What a session idle for a day keeps is its totals per model (tokens and cost), first and last
 * activity, last model and API request count: under half a kilobyte with a UUID for id and one model, plus some
 * 120 bytes per cumulative stream (start, time and value of its last point); after {@link #REMEMBERED_IDLE}, nothing. Compaction runs every
 * ten minutes of receive time as batches are applied, so that replay repeats it, and whenever the store calls
 * {@link #forgetIdle}; either way it forgets only what no later batch or report could use.
 */
public final class UsageAggregator {

    /** Sessions idle longer than this leave the report (the metrics file stays small). */
    public static final Duration REPORTED_IDLE = Duration.ofHours(24);
    /** Streams and sessions idle longer than this are forgotten; a week covers a laptop asleep over a weekend. */
    public static final Duration REMEMBERED_IDLE = Duration.ofDays(7);
    /**
     * After this long without a point, nothing but a retry could need a delta stream's windows. An OpenTelemetry
     * exporter gives up on an export within about a minute (five attempts, backoff up to 5 s, a 10 s timeout each);
     * the hour leaves room for a machine suspended in the middle of it.
     */
    public static final Duration RETRY_HORIZON = Duration.ofHours(1);
    /** How far a point's time may be ahead of the batch's receipt and still be taken as sent: clocks drift. */
    public static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);
    /** Sessions remembered: a heavy user starts a few hundred a week. */
    public static final int MAX_SESSIONS = 10_000;
    /** Streams remembered: five per session and model (four token types and cost). */
    public static final int MAX_STREAMS = 50_000;
    static final long MAX_SESSION_BYTES = 32L << 20;
    static final long MAX_STREAM_BYTES = 16L << 20;
    /**
     * api_request event keys remembered, across sessions, to count a retried export's events once: over an hour of
     * events at a busy user's rate (one a second), where a retry comes within a minute (OpenTelemetry's exporters
     * retry within seconds). 96 KiB once full, kept for good: 16,384 kept 384 (docs/PERFORMANCE.md).
     */
    static final int MAX_REMEMBERED_EVENTS = 4_096;
    private static final int DAYS_KEPT = 8;
    private static final long DAY_BYTES = Footprint.TREE_ENTRY + 24 + 200; // a LocalDate and its Usage
    public static final long MAX_RETAINED_BYTES = MAX_SESSION_BYTES + MAX_STREAM_BYTES
            + RecentKeys.bytesAtCapacity(MAX_REMEMBERED_EVENTS) + DAYS_KEPT * DAY_BYTES;
    /**
     * Sessions the report lists at most, the most recently active: about 1 MB of metrics file, rewritten 200 ms
     * after a change. Today's totals still cover every session.
     */
    public static final int MAX_REPORTED_SESSIONS = 1_000;
    private static final long COMPACT_EVERY_NANOS = Duration.ofMinutes(10).toNanos();

    private static final Comparator<Map.Entry<String, SessionState>> MOST_RECENT_FIRST =
            Comparator.<Map.Entry<String, SessionState>>comparingLong(entry -> entry.getValue().lastNanos).reversed()
                    .thenComparing(Map.Entry::getKey);

    final ZoneId zone;
    final StreamTracker streams = new StreamTracker();
    /** Least recently updated first. */
    final Map<String, SessionState> sessions = new LinkedHashMap<>(16, 0.75f, true);
    final TreeMap<LocalDate, Usage> days = new TreeMap<>();
    /** Keys of the api_request events counted, oldest first. */
    final RecentKeys countedEvents = new RecentKeys(MAX_REMEMBERED_EVENTS);
    /** The receive time from which a batch triggers compaction. */
    long nextCompactionNanos = Long.MIN_VALUE;
    private long sessionBytes;

    public UsageAggregator(ZoneId zone) {
        this.zone = zone;
    }

    /** Applies a batch and returns how many of its points and events changed the totals. */
    public int apply(UsageBatch batch) {
        long received = batch.receivedNanos();
        long latest = received == UsageBatch.RECEIVED_UNKNOWN ? Long.MAX_VALUE
                : received + FUTURE_TOLERANCE.toNanos();
        int changed = 0;
        for (UsagePoint point : batch.points()) {
            BigDecimal increase = streams.increase(point);
            if (increase == null) {
                continue;
            }
            Usage usage = point.tokenType() != null
                    ? new Usage(TokenCounts.ZERO.plus(point.tokenType(), increase.longValueExact()), BigDecimal.ZERO)
                    : new Usage(TokenCounts.ZERO, increase);
            long time = Math.min(point.timeNanos(), latest);
            countForDay(time, usage);
            if (!point.sessionId().isEmpty()) {
                SessionState session = session(point.sessionId());
                long before = session.retainedBytes();
                session.add(point.model(), Math.min(point.startNanos(), latest), time, usage);
                sessionBytes += session.retainedBytes() - before;
            }
            changed++;
        }
        for (ApiRequest request : batch.apiRequests()) {
            if (countedEvents.add(request.eventKey())) {
                session(request.sessionId()).countRequest(Math.min(request.timeNanos(), latest));
                changed++;
            }
        }
        for (SessionResource resource : batch.resources()) {
            SessionState session = sessions.get(resource.sessionId());
            if (session != null) {
                long before = session.retainedBytes();
                session.resource(resource.attributes());
                sessionBytes += session.retainedBytes() - before;
            }
        }
        if (received != UsageBatch.RECEIVED_UNKNOWN && received >= nextCompactionNanos) {
            compact(received);
            nextCompactionNanos = received + COMPACT_EVERY_NANOS;
        }
        evictBeyondBounds();
        return changed;
    }

    private SessionState session(String id) {
        SessionState session = sessions.get(id);
        if (session == null) {
            session = new SessionState();
            restoreSession(id, session);
        }
        return session;
    }

    /** Counts usage for its local date, unless that day is older than the days kept. */
    private void countForDay(long timeNanos, Usage usage) {
        LocalDate day = LocalDate.ofInstant(instant(timeNanos), zone);
        if (!days.isEmpty() && day.isBefore(days.lastKey().minusDays(DAYS_KEPT - 1))) {
            return; // already dropped, or would be at once
        }
        days.merge(day, usage, Usage::plus);
        days.headMap(days.lastKey().minusDays(DAYS_KEPT - 1)).clear();
    }

    /**
     * The sessions with usage in the last {@link #REPORTED_IDLE}, at most {@link #MAX_REPORTED_SESSIONS} of them,
     * most recently active first, and today's totals over all sessions.
     */
    public UsageReport report(Instant now) {
        long nowNanos = nanos(now);
        long reportedSince = nanos(now.minus(REPORTED_IDLE));
        var listed = new ArrayList<Map.Entry<String, SessionState>>();
        for (Map.Entry<String, SessionState> entry : sessions.entrySet()) {
            SessionState session = entry.getValue();
            if (session.lastNanos >= reportedSince && session.hasUsage()) {
                listed.add(entry);
            }
        }
        listed.sort(MOST_RECENT_FIRST);
        List<Map.Entry<String, SessionState>> reported = listed.subList(0,
                Math.min(listed.size(), MAX_REPORTED_SESSIONS));
        var reports = new ArrayList<SessionReport>(reported.size());
        for (Map.Entry<String, SessionState> entry : reported) {
            SessionState session = entry.getValue();
            reports.add(new SessionReport(entry.getKey(), session.total(), session.models, session.lastModel,
                    instant(session.firstNanos), instant(session.lastNanos), session.tokensPerMinute(nowNanos),
                    session.apiRequests, session.resource));
        }
        LocalDate today = LocalDate.ofInstant(now, zone);
        return new UsageReport(now, reports, today, days.getOrDefault(today, Usage.ZERO));
    }

    /**
     * How many sessions with usage were active after {@code since}, leaving out those whose resource attributes
     * {@code excluded} matches; counted without building the report, which /health must not wait for, and not
     * limited to the sessions the report lists.
     */
    public int activeSessions(Instant since, Predicate<Map<String, String>> excluded) {
        long sinceNanos = nanos(since);
        int active = 0;
        for (SessionState session : sessions.values()) {
            if (session.hasUsage() && session.lastNanos > sinceNanos && !excluded.test(session.resource)) {
                active++;
            }
        }
        return active;
    }

    /** Forgets sessions and streams idle beyond {@link #REMEMBERED_IDLE}, and compacts idle state. */
    public void forgetIdle(Instant now) {
        long horizon = nanos(now.minus(REMEMBERED_IDLE));
        for (Iterator<Map.Entry<String, SessionState>> entries = sessions.entrySet().iterator(); entries.hasNext(); ) {
            Map.Entry<String, SessionState> entry = entries.next();
            if (entry.getValue().lastNanos < horizon) {
                sessionBytes -= entryBytes(entry);
                entries.remove();
            }
        }
        streams.forgetOlderThan(horizon);
        compact(nanos(now));
    }

    private void compact(long nowNanos) {
        long reportedSince = nowNanos - REPORTED_IDLE.toNanos();
        for (SessionState session : sessions.values()) {
            long before = session.retainedBytes();
            session.compact(nowNanos, reportedSince);
            sessionBytes += session.retainedBytes() - before;
        }
        streams.forgetDeltasOlderThan(nowNanos - RETRY_HORIZON.toNanos());
    }

    /** Evicts the least recently updated sessions and streams beyond the bounds. */
    void evictBeyondBounds() {
        Iterator<Map.Entry<String, SessionState>> eldest = sessions.entrySet().iterator();
        while (eldest.hasNext() && (sessions.size() > MAX_SESSIONS || sessionBytes > MAX_SESSION_BYTES)) {
            sessionBytes -= entryBytes(eldest.next());
            eldest.remove();
        }
        streams.evictBeyond(MAX_STREAMS, MAX_STREAM_BYTES);
    }

    /** Adds a session as the most recently updated; for a new one, and for one read from persisted state. */
    void restoreSession(String id, SessionState session) {
        sessions.put(id, session);
        sessionBytes += Footprint.MAP_ENTRY + Footprint.string(id) + session.retainedBytes();
    }

    private static long entryBytes(Map.Entry<String, SessionState> entry) {
        return Footprint.MAP_ENTRY + Footprint.string(entry.getKey()) + entry.getValue().retainedBytes();
    }

    /**
     * The state as persistence sees it, streams and sessions least recently updated first: what {@link #restore}
     * takes back. Its collections are views, not copies, since a snapshot is taken while exports wait: read them
     * under the same lock as the aggregator.
     */
    record State(long nextCompactionNanos, Collection<Map.Entry<StreamId, StreamState>> streams,
                 Collection<Map.Entry<String, SessionState>> sessions, Collection<Long> countedEvents,
                 Map<LocalDate, Usage> days) {
    }

    State state() {
        return new State(nextCompactionNanos, Collections.unmodifiableMap(streams.streams()).entrySet(),
                Collections.unmodifiableMap(sessions).entrySet(), countedEvents.view(),
                Collections.unmodifiableMap(days));
    }

    /** An aggregator holding the state, within the bounds as if it had been built by applying batches. */
    static UsageAggregator restore(ZoneId zone, State state) {
        var aggregator = new UsageAggregator(zone);
        aggregator.nextCompactionNanos = state.nextCompactionNanos();
        state.streams().forEach(entry -> aggregator.streams.restore(entry.getKey(), entry.getValue()));
        state.sessions().forEach(entry -> aggregator.restoreSession(entry.getKey(), entry.getValue()));
        state.countedEvents().forEach(aggregator.countedEvents::add); // the newest MAX_REMEMBERED_EVENTS stay
        aggregator.days.putAll(state.days());
        aggregator.evictBeyondBounds();
        return aggregator;
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int streamCount() {
        return streams.size();
    }

    /** The estimated heap bytes of everything remembered (see {@link Footprint}); at most MAX_RETAINED_BYTES. */
    public long retainedBytes() {
        return sessionBytes + streams.retainedBytes() + countedEvents.retainedBytes()
                + days.size() * DAY_BYTES;
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
