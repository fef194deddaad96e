package dev.tokenmetrics.receiver.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpositionTest {

    private static final List<Family> FAMILIES = List.of(
            Family.counter("claude_code_token_usage_tokens", "tokens", "Tokens used.",
                    List.of(Sample.total(54_231, "type", "input", "model", "claude-opus-4-1"))),
            Family.gauge("claude_code_cost_today_USD", "USD", "Today's cost.", List.of(Sample.gauge(0.35))),
            Family.counter("claude_token_metrics_exports", "", "Exports.", List.of()));

    private static String text(boolean openMetrics) {
        return new String(Exposition.write(FAMILIES, openMetrics), StandardCharsets.UTF_8);
    }

    @Test
    void textFormatNamesCountersWithTheirTotalSuffixAndLeavesOutEmptyFamilies() {
        assertEquals("""
                # HELP claude_code_token_usage_tokens_total Tokens used.
                # TYPE claude_code_token_usage_tokens_total counter
                claude_code_token_usage_tokens_total{type="input",model="claude-opus-4-1"} 54231
                # HELP claude_code_cost_today_USD Today's cost.
                # TYPE claude_code_cost_today_USD gauge
                claude_code_cost_today_USD 0.35
                """, text(false));
    }

    @Test
    void openMetricsNamesTheFamilyWithoutTotalStatesUnitsAndEnds() {
        assertEquals("""
                # HELP claude_code_token_usage_tokens Tokens used.
                # TYPE claude_code_token_usage_tokens counter
                # UNIT claude_code_token_usage_tokens tokens
                claude_code_token_usage_tokens_total{type="input",model="claude-opus-4-1"} 54231
                # HELP claude_code_cost_today_USD Today's cost.
                # TYPE claude_code_cost_today_USD gauge
                # UNIT claude_code_cost_today_USD USD
                claude_code_cost_today_USD 0.35
                # HELP claude_token_metrics_exports Exports.
                # TYPE claude_token_metrics_exports counter
                # EOF
                """, text(true));
    }

    @Test
    void labelValuesAreEscaped() {
        String out = new String(Exposition.write(List.of(Family.gauge("g", "", "h",
                List.of(Sample.gauge(1, "project", "C:\\work \"x\"\nnext")))), false), StandardCharsets.UTF_8);
        assertTrue(out.contains("g{project=\"C:\\\\work \\\"x\\\"\\nnext\"} 1\n"), out);
    }

    @Test
    void numbersAreWholeWhenWholeAndRoundTripOtherwise() {
        assertEquals("12345678901", Exposition.number(12_345_678_901d));
        assertEquals("0.1", Exposition.number(0.1));
        assertEquals("NaN", Exposition.number(Double.NaN));
        assertEquals("+Inf", Exposition.number(Double.POSITIVE_INFINITY));
    }

    @Test
    void openMetricsIsChosenOnlyWhenAsked() {
        assertTrue(Exposition.wantsOpenMetrics(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        assertFalse(Exposition.wantsOpenMetrics("text/plain"));
        assertFalse(Exposition.wantsOpenMetrics(null));
    }
}
