package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReceiverConfigTest {

    private static final Map<String, String> HOME = Map.of("HOME", "/home/you");

    @Test
    void theDailyBudgetComesFromTheOptionOrTheStatuslinesVariable() {
        assertTrue(Double.isNaN(ReceiverConfig.parse(new String[0], HOME).dailyBudgetUsd()), "none by default");
        assertEquals(20, ReceiverConfig.parse(new String[0],
                Map.of("HOME", "/home/you", "CLAUDE_TOKEN_DAILY_BUDGET", "20")).dailyBudgetUsd());
        assertEquals(7.5, ReceiverConfig.parse(new String[] {"--daily-budget", "7.5"},
                Map.of("HOME", "/home/you", "CLAUDE_TOKEN_DAILY_BUDGET", "20")).dailyBudgetUsd());
    }

    @Test
    void aBudgetOptionThatIsNoAmountIsOneLine() {
        var bad = assertThrows(IllegalArgumentException.class,
                () -> ReceiverConfig.parse(new String[] {"--daily-budget", "lots"}, HOME));
        assertEquals("--daily-budget must be an amount of US dollars above 0, got 'lots'", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReceiverConfig.parse(new String[] {"--daily-budget", "0"},
                HOME));
    }

    @Test
    void aBudgetVariableThatIsNoAmountIsIgnoredAsTheStatuslineIgnoresIt() {
        assertTrue(Double.isNaN(ReceiverConfig.parse(new String[0],
                Map.of("HOME", "/home/you", "CLAUDE_TOKEN_DAILY_BUDGET", "-3")).dailyBudgetUsd()));
    }
}
