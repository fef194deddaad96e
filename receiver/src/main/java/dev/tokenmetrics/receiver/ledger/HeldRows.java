package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.Call;
import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Place;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Tokens;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Rows waiting for the ledger writer's next transaction, held as bytes in one array that is kept from one transaction
 * to the next. Why: rows wait longer than the daemon's 2 MB young generation lives (the writer gathers up to a quarter
 * of a second of them), and the commits held as objects (some forty per request, about 2 KB promoted per logs
 * export) filled the small old generation, collected in full more than once a second under a mixed load. Appending
 * to an array that is already old allocates nothing that survives; the rows are made again, a chunk at a time,
 * while the transaction writes them, and die young. Not thread-safe: its owner guards it.
 */
final class HeldRows {

    /** Rows decoded at once while writing: what the transaction holds as objects at any moment. */
    static final int CHUNK = 64;
    private static final int INITIAL = 16 * 1024;
    /** Emptied, an array grown beyond this (a backlog while the ledger could not be written) is let go. */
    private static final int KEEP = 1024 * 1024;
    private static final Source[] SOURCES = Source.values();
    private static final CostSource[] COST_SOURCES = CostSource.values();

    private byte[] bytes = new byte[INITIAL];
    private int length;
    private int rows;

    /** Holds every row of the list, or none of them when one cannot be held (a bug): never half a row. */
    void add(List<LedgerRow> added) {
        int lengthBefore = length;
        int rowsBefore = rows;
        try {
            for (LedgerRow row : added) {
                put(row);
                rows++;
            }
        } catch (RuntimeException e) {
            length = lengthBefore; // what the rows after it would be read from
            rows = rowsBefore;
            throw e;
        }
    }

    int rows() {
        return rows;
    }

    boolean isEmpty() {
        return rows == 0;
    }

    void clear() {
        length = 0;
        rows = 0;
        if (bytes.length > KEEP) {
            bytes = new byte[INITIAL];
        }
    }

    /** Lets go of what a flood grew, when empty: an idle daemon keeps a small heap. */
    void release() {
        if (rows == 0 && bytes.length > INITIAL) {
            bytes = new byte[INITIAL];
        }
    }

    /** The rows held, in the order added, {@link #CHUNK} at a time. */
    Iterable<List<LedgerRow>> chunks() {
        return () -> new Iterator<>() {
            private int at;

            @Override
            public boolean hasNext() {
                return at < length;
            }

            @Override
            public List<LedgerRow> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                var chunk = new ArrayList<LedgerRow>(CHUNK);
                var reader = new Reader(at);
                while (chunk.size() < CHUNK && reader.at < length) {
                    chunk.add(reader.row());
                }
                at = reader.at;
                return chunk;
            }
        };
    }

    private void put(LedgerRow row) {
        putText(row.key());
        putByte(row.source().ordinal());
        putText(row.sessionId());
        putLong(row.time().getEpochSecond());
        putLong(row.time().getNano());
        putText(row.model());
        Tokens tokens = row.tokens();
        putLong(tokens.input());
        putLong(tokens.output());
        putLong(tokens.cacheRead());
        putLong(tokens.cacheCreation());
        putLong(tokens.cacheCreation5m());
        putLong(tokens.cacheCreation1h());
        putText(row.costUsd() == null ? null : row.costUsd().toString()); // toString keeps the scale: exact
        putByte(row.costSource().ordinal());
        Call call = row.call();
        putText(call.requestId());
        putOptional(call.durationMs());
        putOptional(call.ttftMs());
        putText(call.querySource());
        putText(call.effort());
        putText(call.speed());
        putText(call.agentName());
        putText(call.skillName());
        putText(call.promptId());
        putText(call.userId());
        putText(call.organizationId());
        putText(call.accountUuid());
        putText(call.terminal());
        putText(call.version());
        Place place = row.place();
        putText(place.project());
        putText(place.cwd());
        putText(place.gitBranch());
        putText(place.messageId());
        putText(row.transcript());
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    private void putByte(int value) {
        room(1);
        bytes[length++] = (byte) value;
    }

    private void putLong(long value) {
        room(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (value >>> shift);
        }
    }

    private void putOptional(Long value) {
        putByte(value == null ? 0 : 1);
        if (value != null) {
            putLong(value);
        }
    }

    /** A length (-1: null) and the text's UTF-8. */
    private void putText(String text) {
        if (text == null) {
            putInt(-1);
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        putInt(utf8.length);
        room(utf8.length);
        System.arraycopy(utf8, 0, bytes, length, utf8.length);
        length += utf8.length;
    }

    private void putInt(int value) {
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (value >>> shift);
        }
    }

    private final class Reader {
        private int at;

        Reader(int at) {
            this.at = at;
        }

        LedgerRow row() {
            String key = text();
            Source source = SOURCES[bytes[at++]];
            String sessionId = text();
            Instant time = Instant.ofEpochSecond(number(), number());
            String model = text();
            var tokens = new Tokens(number(), number(), number(), number(), number(), number());
            String cost = text();
            CostSource costSource = COST_SOURCES[bytes[at++]];
            var call = new Call(text(), optional(), optional(), text(), text(), text(), text(), text(), text(), text(),
                    text(), text(), text(), text());
            var place = new Place(text(), text(), text(), text());
            return new LedgerRow(key, source, sessionId, time, model, tokens, cost == null ? null : new BigDecimal(cost),
                    costSource, call, place, text());
        }

        private long number() {
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = value << 8 | (bytes[at++] & 0xff);
            }
            return value;
        }

        private Long optional() {
            return bytes[at++] == 0 ? null : number();
        }

        private String text() {
            int size = 0;
            for (int i = 0; i < 4; i++) {
                size = size << 8 | (bytes[at++] & 0xff);
            }
            if (size < 0) {
                return null;
            }
            String text = new String(bytes, at, size, StandardCharsets.UTF_8);
            at += size;
            return text;
        }
    }
}
