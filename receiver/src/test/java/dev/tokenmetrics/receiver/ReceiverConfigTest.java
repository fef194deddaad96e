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

    @Test
    void forwardingIsOffByDefaultAndItsOptionsGoOverTheEnvironmentUnchecked() {
        assertTrue(!ReceiverConfig.parse(new String[0], HOME).forward().enabled(), "off by default");
        var config = ReceiverConfig.parse(new String[] {"--forward-endpoint", "http://team:4318", "--forward-header",
                "b=2", "--forward-timeout", "whenever"}, Map.of("HOME", "/home/you",
                "CLAUDE_TOKEN_FORWARD_HEADERS", "a=1", "CLAUDE_TOKEN_FORWARD_ENDPOINT", "http://env:4318"));
        assertEquals("http://team:4318", config.forward().endpoint());
        assertEquals(java.util.List.of("a=1", "b=2"), config.forward().headers(), "options add to the variable's");
        assertEquals("whenever", config.forward().timeout(), "checked when the daemon starts: it stops nothing");
        assertTrue(ReceiverConfig.USAGE.contains("--forward-endpoint URL"));
    }
}
