package dev.tokenmetrics.receiver.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeltaStateTest {

    private final DeltaState delta = new DeltaState();

    private void see(int windows) {
        for (int i = 0; i < windows; i++) {
            assertTrue(delta.firstSighting(i, i + 1));
        }
    }

    @Test
    void growsWithTheWindowsSeenAndRecognisesEveryOneOfThem() {
        long empty = delta.retainedBytes();
        see(40);

        assertTrue(delta.retainedBytes() > empty);
        for (int i = 0; i < 40; i++) {
            assertFalse(delta.firstSighting(i, i + 1), "window " + i);
        }
        assertEquals(40, delta.windowCount());
        assertEquals(0, delta.windowStart(0));
        assertEquals(40, delta.windowTime(39));
    }

    @Test
    void aNewStreamIsSmall() {
        see(1);
        assertTrue(delta.retainedBytes() <= 128, () -> delta.retainedBytes() + " bytes");
    }

    @Test
    void keepsTheLatestWindowsUpToItsLimit() {
        see(StreamTracker.DELTA_WINDOWS + 10);
        long full = delta.retainedBytes();

        assertEquals(StreamTracker.DELTA_WINDOWS, delta.windowCount());
        assertEquals(10, delta.windowStart(0), "the oldest ten were overwritten");
        assertFalse(delta.firstSighting(10, 11));
        assertTrue(delta.firstSighting(0, 1), "forgotten: it counts again");
        assertEquals(full, delta.retainedBytes());
    }
}
