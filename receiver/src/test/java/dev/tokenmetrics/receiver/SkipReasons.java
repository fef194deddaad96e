package dev.tokenmetrics.receiver;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints why tests skipped, once per test class and reason, as {@code ScriptsTest skipped: zsh not found: …}: the
 * console's "Skipped: 9" alone leaves the reason in the XML reports. Registered for every test run of a module that
 * has the receiver's test classes on its class path, by META-INF/services.
 */
public final class SkipReasons implements TestExecutionListener {

    private static final String ASSUMPTION_PREFIX = "Assumption failed: ";

    private final PrintStream out;
    private final Set<String> told = ConcurrentHashMap.newKeySet();

    public SkipReasons() {
        this(System.out);
    }

    SkipReasons(PrintStream out) {
        this.out = out;
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            tell(test, result.getThrowable().map(Throwable::getMessage).orElse(null));
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) { // @Disabled and the like
        tell(test, reason);
    }

    private void tell(TestIdentifier test, String reason) {
        String why = reason == null || reason.isBlank() ? "no reason given"
                : reason.startsWith(ASSUMPTION_PREFIX) ? reason.substring(ASSUMPTION_PREFIX.length()) : reason;
        String owner = owner(test);
        if (told.add(owner + '\n' + why)) {
            out.println(owner + " skipped: " + why);
        }
    }

    private static String owner(TestIdentifier test) {
        TestSource source = test.getSource().orElse(null);
        String className = source instanceof MethodSource method ? method.getClassName()
                : source instanceof ClassSource type ? type.getClassName() : null;
        return className == null ? test.getDisplayName() : className.substring(className.lastIndexOf('.') + 1);
    }
}
