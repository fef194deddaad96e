package dev.tokenmetrics.receiver.ledger;

import dev.tokenmetrics.receiver.ledger.LedgerRow.CostSource;
import dev.tokenmetrics.receiver.ledger.LedgerRow.Source;
import dev.tokenmetrics.receiver.pricing.PriceBook;
import dev.tokenmetrics.receiver.pricing.PriceTable;
import dev.tokenmetrics.receiver.pricing.Prices;
import dev.tokenmetrics.receiver.pricing.TokenCounts;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Keeps the ledger's transcript rows priced by the prices known now: it learns from telemetry's exact costs (all of
 * the ledger's at the first {@link #update}, then the rows as they are written), reads the user's price file
 * ({@value #PRICES_FILE} beside the database), and when the prices that apply to a model change, re-prices that
 * model's non-exact transcript rows. Used by the ledger writer's thread alone.
 */
final class LedgerPricing {

    private static final Logger LOG = Logger.getLogger(LedgerPricing.class.getName());
    static final String PRICES_FILE = "prices.json";

    private final Ledger ledger;
    private final PriceBook book;
    private Prices applied; // what the ledger's rows are priced by; null until the first update

    LedgerPricing(Ledger ledger, PriceTable shipped) {
        this.ledger = ledger;
        this.book = new PriceBook(shipped, ledger.file().resolveSibling(PRICES_FILE));
    }

    /** Learns from the rows just written: telemetry's, with Claude Code's exact cost, not in fast mode. */
    void observe(List<LedgerRow> rows) {
        if (applied == null) {
            return; // the first update reads them from the ledger
        }
        for (LedgerRow row : rows) {
            if (row.source() == Source.TELEMETRY && row.costSource() == CostSource.EXACT && row.costUsd() != null
                    && !Prices.isFast(row.call().speed())) {
                LedgerRow.Tokens tokens = row.tokens();
                book.observe(row.model(), new TokenCounts(tokens.input(), tokens.output(), tokens.cacheRead(),
                        tokens.cacheCreation(), tokens.cacheCreation1h()), row.costUsd());
            }
        }
    }

    /**
     * The prices now. When they differ from those the ledger's rows were priced by (always, at the first call: the
     * table, the user's file or what telemetry teaches may have changed since the last run), the transcript rows of
     * each model whose rule changed are re-priced first, in one transaction.
     */
    Prices update() throws IOException {
        boolean first = applied == null;
        if (first) {
            ledger.forEachTelemetryCost(book::observe);
        }
        Prices now = book.current();
        if (!first && now.equals(applied)) {
            return now;
        }
        var changed = new LinkedHashMap<String, Prices.Rule>();
        for (String model : ledger.repriceableModels()) {
            Prices.Rule rule = now.rule(model);
            if (first || !rule.equals(applied.rule(model))) {
                changed.put(model, rule);
            }
        }
        if (!changed.isEmpty()) {
            ledger.reprice(changed);
            LOG.info("ledger: re-priced the transcript rows of " + describe(changed));
        }
        applied = now;
        return now;
    }

    private static String describe(Map<String, Prices.Rule> rules) {
        return rules.size() <= 5 ? String.join(", ", rules.keySet()) : rules.size() + " models";
    }
}
