package dev.tokenmetrics.receiver.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The last N distinct keys, as a LinkedHashSet of Longs trimmed to N would keep them, in two arrays of longs. */
class RecentKeysTest {

    /** The model: what the aggregator kept before, a set in insertion order losing its eldest beyond the capacity. */
    private static boolean add(LinkedHashSet<Long> model, int capacity, long key) {
        if (!model.add(key)) {
            return false;
        }
        if (model.size() > capacity) {
            Iterator<Long> eldest = model.iterator();
            eldest.next();
            eldest.remove();
        }
        return true;
    }

    @Test
    void keepsTheLastDistinctKeysInOrderForEverySequence() {
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int capacity = 1 + random.nextInt(trial < 200 ? 40 : 3_000);
            // few distinct keys (many repeats, long probe runs) or many; zero and negatives among them
            long range = 1 + random.nextInt(4 * capacity);
            var keys = new RecentKeys(capacity);
            var model = new LinkedHashSet<Long>();
            for (int step = 0; step < 10 * capacity; step++) {
                long key = random.nextInt(8) == 0 ? random.nextLong() : random.nextLong() % range;
                assertEquals(add(model, capacity, key), keys.add(key), "add " + key);
                long probe = random.nextLong() % range;
                assertEquals(model.contains(probe), keys.contains(probe), "contains " + probe);
            }
            assertEquals(new ArrayList<>(model), new ArrayList<>(keys.view()), "capacity " + capacity);
            assertEquals(model.size(), keys.size());
        }
    }

    @Test
    void keysWhoseSlotsCollideAreFoundAfterAnyOfThemLeaves() {
        var keys = new RecentKeys(4);
        List<Long> colliding = List.of(1L << 40, 2L << 40, 3L << 40, 4L << 40, 5L << 40, 0L); // alike in the low bits
        colliding.forEach(keys::add);
        assertFalse(keys.contains(1L << 40), "the two oldest went");
        assertFalse(keys.contains(2L << 40));
        for (long key : List.of(3L << 40, 4L << 40, 5L << 40, 0L)) {
            assertTrue(keys.contains(key), "kept " + key);
        }
        assertEquals(List.of(3L << 40, 4L << 40, 5L << 40, 0L), new ArrayList<>(keys.view()));
    }

    @Test
    void fullItHoldsAThirdOfWhatTheBoxedSetHeld() {
        int capacity = UsageAggregator.MAX_REMEMBERED_EVENTS;
        var keys = new RecentKeys(capacity);
        for (long key = 1; key <= 3L * capacity; key++) {
            keys.add(key * 0x5DEECE66DL);
        }
        assertEquals(RecentKeys.bytesAtCapacity(capacity), keys.retainedBytes());
        assertTrue(keys.retainedBytes() <= 24L * capacity + 64, keys.retainedBytes() + " bytes");
    }
}
