package dev.tokenmetrics.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenmetrics.query.CsvReport;
import dev.tokenmetrics.query.Json;
import dev.tokenmetrics.query.Money;
import dev.tokenmetrics.query.Usage;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;


/** The writers' escaping and number formats: what any value, a branch name or a path, comes out as. */
class FormatsTest {

    @Test
    void jsonStringsSurviveQuotesBackslashesControlCharactersAndUnicode() throws Exception {
        String nasty = "feature/\"quoted\" \\ back\nline\ttab \u0001 zoë 日本 🚀 \u2028";
        String json = new Json().object().field("branch", nasty).field("list", List.of(nasty, ""))
                .field("cost", new BigDecimal("0.000000000001")).field("none", (BigDecimal) null).end().toString();
        var tree = new ObjectMapper().readTree(json);
        assertEquals(nasty, tree.path("branch").asText());
        assertEquals(nasty, tree.path("list").get(0).asText());
        assertEquals(true, json.contains("\"cost\": 0.000000000001"), "exact, never in exponent form: " + json);
        assertEquals(true, tree.path("none").isNull());
    }

    @Test
    void csvFieldsAreQuotedOnlyWhenTheyNeedIt() {
        assertEquals("main", CsvReport.field("main"));
        assertEquals("\"a,b\"", CsvReport.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", CsvReport.field("say \"hi\""));
        assertEquals("\"two\nlines\"", CsvReport.field("two\nlines"));
    }

    @Test
    void moneyAndTokensAreGroupedByThousandsAndSmallCostsKeepFourDecimals() {
        assertEquals("1,234,567", Money.tokens(1_234_567));
        assertEquals("0", Money.tokens(0));
        assertEquals("$1,234.57", Money.usd(new BigDecimal("1234.567")));
        assertEquals("$0.0042", Money.usd(new BigDecimal("0.00421")));
        assertEquals("$0.00", Money.usd(BigDecimal.ZERO));
        assertEquals(new BigDecimal("0.200001"), Usage.usd(200_001_000_000L));
    }
}
