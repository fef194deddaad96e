package dev.tokenmetrics.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** A skipped test's reason reaches the console, once per class and reason, whatever the number of tests. */
class SkipReasonsTest {

    // Run only through printed(): surefire leaves nested classes alone.
    static class ThreeSkipForOneReason {
        @Test void first() { Skip.unless(false, "tmux not found: install it (apt-get install tmux)"); }
        @Test void second() { Skip.unless(false, "tmux not found: install it (apt-get install tmux)"); }
        @Test void third() { Skip.unless(false, "tmux not found: install it (apt-get install tmux)"); }
    }

    static class TwoReasons {
        @Test void needsRoot() { Skip.unless(false, "needs root"); }
        @Test void needsZsh() { Skip.unless(false, "zsh not found"); }
    }

    static class Passing {
        @Test void passes() { Skip.unless(true, "never printed"); }
    }

    static class Disabling {
        @Disabled("flaky on macOS") @Test void disabled() { }
    }

    private static String printed(Class<?> testClass) {
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        var launcher = LauncherFactory.create(LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false) // only ours, writing to out
                .addTestExecutionListeners(new SkipReasons(out)).build());
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(testClass)).build());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aReasonIsPrintedOnceForItsClassHoweverManyTestsSkipForIt() {
        assertEquals("SkipReasonsTest$ThreeSkipForOneReason skipped: tmux not found: install it"
                + " (apt-get install tmux)\n",
                printed(ThreeSkipForOneReason.class));
    }

    @Test
    void eachReasonOfAClassIsPrinted() {
        assertEquals(2, printed(TwoReasons.class).lines()
                .filter(line -> line.equals("SkipReasonsTest$TwoReasons skipped: needs root")
                        || line.equals("SkipReasonsTest$TwoReasons skipped: zsh not found")).count());
    }

    @Test
    void testsThatRunPrintNothing() {
        assertEquals("", printed(Passing.class));
    }

    @Test
    void aDisabledTestsReasonIsPrintedToo() {
        assertEquals("SkipReasonsTest$Disabling skipped: flaky on macOS\n", printed(Disabling.class));
    }
}
