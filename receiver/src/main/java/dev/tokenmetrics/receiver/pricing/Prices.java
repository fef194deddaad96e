package dev.tokenmetrics.receiver.pricing;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

/**
 * The prices known at one time, and the rule that picks one for a request: the model's learned price when it
 * prices every type of token the request has, else the price table's, else none (unpriced, never $0). A request
 * made in fast mode ({@code speed} "fast") is billed at other prices that neither knows, so it stays unpriced.
 */
public record Prices(Map<String, Price> learned, PriceTable table) {

    public static final Prices NONE = new Prices(Map.of(), PriceTable.EMPTY);

    /** Where a priced request's cost comes from. */
    public enum Basis { LEARNED, TABLE }

    /** A request's cost and where it comes from. */
    public record Priced(BigDecimal costUsd, Basis basis) {
        public Priced {
            Objects.requireNonNull(costUsd, "costUsd");
            Objects.requireNonNull(basis, "basis");
        }
    }

    /** What prices a model's requests: its learned price and its table price, either or both {@code null}. */
    public record Rule(Price learned, Price table) {
        public static final Rule NONE = new Rule(null, null);
    }

    public Prices {
        learned = Map.copyOf(learned);
        Objects.requireNonNull(table, "table");
    }

    public Rule rule(String model) {
        return new Rule(learned.get(model), table.lookup(model));
    }

    /** The request's cost by the rule above, or {@code null} when it is unpriced. */
    public Priced price(String model, TokenCounts tokens, String speed) {
        if (isFast(speed)) {
            return null;
        }
        Rule rule = rule(model);
        if (rule.learned() != null && rule.learned().covers(tokens)) {
            return new Priced(rule.learned().cost(tokens), Basis.LEARNED);
        }
        if (rule.table() != null && rule.table().covers(tokens)) {
            return new Priced(rule.table().cost(tokens), Basis.TABLE);
        }
        return null;
    }

    public static boolean isFast(String speed) {
        return "fast".equals(speed);
    }
}
