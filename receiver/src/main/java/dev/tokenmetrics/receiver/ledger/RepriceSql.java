package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.pricing.Price;
import dev.tokenmetrics.receiver.pricing.Prices;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The UPDATE that prices models' non-exact transcript rows again by their {@link Prices.Rule}s, in SQL that computes
 * what {@link Prices#price} computes: the cost in whole 10^-12 USD (SQLite integers, exact), written as the same
 * plain decimal. Prices are integers in the statement (10^-12 USD per token); the models are its parameters.
 */
final class RepriceSql {

    private static final String NOT_FAST = "coalesce(speed, '') <> 'fast'";
    private static final String PROMPT = "(input_tokens + cache_read_tokens + cache_creation_tokens)";
    private static final String WRITE_1H = "min(cache_creation_1h_tokens, cache_creation_tokens)";
    private static final String WRITE_5M = "(cache_creation_tokens - " + WRITE_1H + ")";

    private RepriceSql() {
    }

    /**
     * One UPDATE for all the models, the i-th model ({@code rules}' order) being parameter {@code ?i}: a single pass
     * over the table, which writes only the rows whose cost or cost source changes.
     */
    static String update(List<Prices.Rule> rules) {
        var cost = new StringBuilder("CASE model");
        var source = new StringBuilder("CASE model");
        var models = new ArrayList<String>();
        for (int i = 0; i < rules.size(); i++) {
            Prices.Rule rule = rules.get(i);
            String model = "?" + (i + 1);
            models.add(model);
            String learned = rule.learned() == null ? "0" : NOT_FAST + " AND " + covers(rule.learned());
            String table = rule.table() == null ? "0" : NOT_FAST + " AND " + covers(rule.table());
            String learnedCost = rule.learned() == null ? "NULL" : text(cost(rule.learned()));
            String tableCost = rule.table() == null ? "NULL" : text(cost(rule.table()));
            cost.append("\n  WHEN ").append(model).append(" THEN CASE WHEN ").append(learned).append(" THEN ")
                    .append(learnedCost).append(" WHEN ").append(table).append(" THEN ").append(tableCost)
                    .append(" ELSE NULL END");
            source.append("\n  WHEN ").append(model).append(" THEN CASE WHEN ").append(learned)
                    .append(" THEN 'learned' WHEN ").append(table).append(" THEN 'table' ELSE 'unpriced' END");
        }
        cost.append(" END");
        source.append(" END");
        return "UPDATE requests SET cost_usd = " + cost + ",\ncost_source = " + source
                + "\nWHERE model IN (" + String.join(", ", models) + ") AND source = 'transcript'"
                + " AND cost_source <> 'exact'\n  AND (cost_usd IS NOT (" + cost + ") OR cost_source IS NOT ("
                + source + "))";
    }

    /** Whether every type of token the row has is priced (a learned price may lack some). */
    private static String covers(Price price) {
        if (price.longPrompt() != null) {
            return "(CASE WHEN " + PROMPT + " > " + price.longPrompt().abovePromptTokens() + " THEN "
                    + plainCovers(price.longPrompt().price()) + " ELSE " + plainCovers(price) + " END)";
        }
        return plainCovers(price);
    }

    private static String plainCovers(Price price) {
        var unpriced = new ArrayList<String>();
        addIfUnpriced(unpriced, "input_tokens", price.input());
        addIfUnpriced(unpriced, "output_tokens", price.output());
        addIfUnpriced(unpriced, "cache_read_tokens", price.cacheRead());
        addIfUnpriced(unpriced, WRITE_5M, price.cacheWrite5m());
        addIfUnpriced(unpriced, WRITE_1H, price.cacheWrite1h());
        return unpriced.isEmpty() ? "1" : "(" + String.join(" AND ", unpriced) + ")";
    }

    private static void addIfUnpriced(List<String> conditions, String tokens, BigDecimal price) {
        if (price == null) {
            conditions.add(tokens + " = 0");
        }
    }

    /** The cost in 10^-12 USD. */
    private static String cost(Price price) {
        if (price.longPrompt() != null) {
            return "(CASE WHEN " + PROMPT + " > " + price.longPrompt().abovePromptTokens() + " THEN "
                    + plainCost(price.longPrompt().price()) + " ELSE " + plainCost(price) + " END)";
        }
        return plainCost(price);
    }

    private static String plainCost(Price price) {
        var terms = new ArrayList<String>();
        addTerm(terms, "input_tokens", price.input());
        addTerm(terms, "output_tokens", price.output());
        addTerm(terms, "cache_read_tokens", price.cacheRead());
        addTerm(terms, WRITE_5M, price.cacheWrite5m());
        addTerm(terms, WRITE_1H, price.cacheWrite1h());
        return terms.isEmpty() ? "0" : "(" + String.join(" + ", terms) + ")";
    }

    private static void addTerm(List<String> terms, String tokens, BigDecimal perMillion) {
        Long pico = Price.picoPerTokenOrNull(perMillion);
        if (pico != null) {
            terms.add(tokens + " * " + pico);
        }
    }

    /** 10^-12 USD as a plain decimal without trailing zeros, like {@code BigDecimal.stripTrailingZeros()}. */
    private static String text(String pico) {
        return "rtrim(rtrim(printf('%d.%012d', " + pico + " / 1000000000000, " + pico
                + " % 1000000000000), '0'), '.')";
    }
}
