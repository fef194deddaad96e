package dev.tokenmetrics.receiver.ledger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How a session and model's metrics and its per-request rows (telemetry and transcript) make one total, never counted
 * twice nor half: per token type and for cost, the metrics add {@code max(0, metrics − requests)}, so the ledger's
 * total is the larger of the two. That excess is dated on the days the metrics counted it: each day, in order, takes
 * what its metrics counted beyond that day's requests, until the excess is placed. When both sides date alike (the
 * usual case) every day gets exactly its own gap; a request and its metric point on either side of midnight do not
 * add a row on one day for what the other day already holds.
 */
final class MetricsReconciliation {

    /**
     * Cost differences below this are binary rounding between the two sides (Claude Code sums doubles), not a
     * request: the cheapest request costs some 1e-5 USD.
     */
    static final BigDecimal COST_NOISE = new BigDecimal("1e-9");

    /** One day's figures. */
    record Figures(long input, long output, long cacheRead, long cacheCreation, BigDecimal costUsd) {

        static final Figures ZERO = new Figures(0, 0, 0, 0, BigDecimal.ZERO);

        /** The cost in its shortest form, so that equal figures are equal records. */
        Figures {
            costUsd = costUsd.signum() == 0 ? BigDecimal.ZERO : costUsd.stripTrailingZeros();
        }

        Figures plus(Figures other) {
            return new Figures(input + other.input, output + other.output, cacheRead + other.cacheRead,
                    cacheCreation + other.cacheCreation, costUsd.add(other.costUsd));
        }

        boolean isZero() {
            return input == 0 && output == 0 && cacheRead == 0 && cacheCreation == 0 && costUsd.signum() == 0;
        }
    }

    private MetricsReconciliation() {
    }

    /**
     * What the metrics add, per day (UTC dates, which sort as text), for the days they counted in; days where they
     * add nothing are left out.
     */
    static SortedMap<String, Figures> excess(SortedMap<String, Figures> metrics, Map<String, Figures> requests) {
        List<String> days = new ArrayList<>(metrics.keySet());
        List<Figures> counted = days.stream().map(metrics::get).toList();
        List<Figures> requested = days.stream().map(day -> requests.getOrDefault(day, Figures.ZERO)).toList();
        Figures requestedInAll = requests.values().stream().reduce(Figures.ZERO, Figures::plus);
        List<Long> input = place(counted, requested, requestedInAll, Figures::input);
        List<Long> output = place(counted, requested, requestedInAll, Figures::output);
        List<Long> cacheRead = place(counted, requested, requestedInAll, Figures::cacheRead);
        List<Long> cacheCreation = place(counted, requested, requestedInAll, Figures::cacheCreation);
        List<BigDecimal> cost = placeCost(counted, requested, requestedInAll);
        var excess = new TreeMap<String, Figures>();
        for (int i = 0; i < days.size(); i++) {
            var day = new Figures(input.get(i), output.get(i), cacheRead.get(i), cacheCreation.get(i), cost.get(i));
            if (!day.isZero()) {
                excess.put(days.get(i), day);
            }
        }
        return excess;
    }

    private static List<Long> place(List<Figures> counted, List<Figures> requested, Figures requestedInAll,
                                    Function<Figures, Long> type) {
        long total = counted.stream().mapToLong(type::apply).sum();
        long left = Math.max(0, total - type.apply(requestedInAll));
        var placed = new ArrayList<Long>(counted.size());
        for (int i = 0; i < counted.size(); i++) {
            long gap = Math.max(0, type.apply(counted.get(i)) - type.apply(requested.get(i)));
            long here = Math.min(gap, left);
            placed.add(here);
            left -= here;
        }
        return placed;
    }

    private static List<BigDecimal> placeCost(List<Figures> counted, List<Figures> requested, Figures requestedInAll) {
        BigDecimal total = counted.stream().map(Figures::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal left = total.subtract(requestedInAll.costUsd());
        if (left.compareTo(COST_NOISE) < 0) {
            left = BigDecimal.ZERO;
        }
        var placed = new ArrayList<BigDecimal>(counted.size());
        for (int i = 0; i < counted.size(); i++) {
            BigDecimal gap = counted.get(i).costUsd().subtract(requested.get(i).costUsd()).max(BigDecimal.ZERO);
            BigDecimal here = gap.min(left);
            placed.add(here);
            left = left.subtract(here);
        }
        return placed;
    }
}
