package dev.tokenmetrics.receiver.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class StreamTrackerTest {

    private static void assertDecimal(String expected, double value) {
        assertEquals(0, new BigDecimal(expected).compareTo(StreamTracker.decimal(value)),
                () -> value + " read as " + StreamTracker.decimal(value));
    }

    @Test
    void wholeNumbersAreTakenExactly() {
        assertDecimal("1372", 1372.0);
        assertDecimal("0", 0.0);
        assertDecimal("0", -0.0);
        assertDecimal("-5", -5.0);
        assertDecimal("9007199254740991", 0x1p53 - 1);
    }

    @Test
    void otherValuesAreTheDecimalTheirShortestRepresentationSpells() {
        assertDecimal("0.005024", 0.005024);
        assertDecimal("0.1", 0.1);
        assertDecimal("9007199254740992", 0x1p53);
        assertDecimal("1e300", 1e300);
        assertDecimal("1.5", 1.5);
    }
}
