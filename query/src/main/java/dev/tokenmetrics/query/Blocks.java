package dev.tokenmetrics.query;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The blocks report: requests in time order cut into 5-hour windows (see {@link Block}). */
public final class Blocks {

    private Blocks() {
    }

    public record Answer(Query query, Instant now, List<Block> blocks, Usage totals) {
        public Answer {
            blocks = List.copyOf(blocks);
        }

        public Block active() {
            return blocks.stream().filter(Block::active).findFirst().orElse(null);
        }
    }

    public static Answer run(UsageLedger ledger, Query query, Instant now) throws LedgerException {
        var cutter = new Cutter(now);
        ledger.requests(query.period(), query.filters(), cutter::add);
        cutter.close();
        Usage totals = Usage.NONE;
        for (Block block : cutter.blocks) {
            totals = totals.plus(block.row().usage());
        }
        return new Answer(query, now, cutter.blocks, totals);
    }

    private static final class Cutter {
        private final Instant now;
        private final long length = Block.LENGTH.toMillis();
        private final List<Block> blocks = new ArrayList<>();
        private long start = -1;
        private long first;
        private long last;
        private Usage usage = Usage.NONE;
        private final Map<String, Usage> models = new TreeMap<>();

        Cutter(Instant now) {
            this.now = now;
        }

        void add(UsageLedger.Request request) {
            long time = request.timeMs();
            if (start >= 0 && (time - start > length || time - last > length)) {
                close();
            }
            if (start < 0) {
                start = Instant.ofEpochMilli(time).truncatedTo(ChronoUnit.HOURS).toEpochMilli();
                first = time;
            }
            last = time;
            usage = usage.plus(request.usage());
            models.merge(request.model(), request.usage(), Usage::plus);
        }

        void close() {
            if (start < 0) {
                return;
            }
            Instant begin = Instant.ofEpochMilli(start);
            Instant end = begin.plus(Block.LENGTH);
            boolean active = now.toEpochMilli() - last < length && now.isBefore(end);
            blocks.add(new Block(new Row(Times.iso(begin), usage, models, Instant.ofEpochMilli(first),
                    Instant.ofEpochMilli(last), List.of(), List.of()), begin, end, active));
            start = -1;
            usage = Usage.NONE;
            models.clear();
        }
    }
}
