package dev.tokenmetrics.receiver.aggregate;

import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The last {@code capacity} distinct keys added, oldest first, in two arrays of longs rather than a set of boxed ones
 * (a LinkedHashSet of Longs holds some 70 bytes a key, for good in the old generation; these hold 24 at most): a
 * ring in the order the keys came, and an open-addressing table (linear probing, deletion by backward shift) that
 * finds a key. Both grow by doubling, up to what the capacity needs. Not thread-safe.
 */
final class RecentKeys {

    private static final int FIRST_RING = 16;

    private final int capacity;
    private long[] ring; // as long as the capacity once full
    private int oldest; // where in the ring the oldest key is
    private int size;
    private long[] table = new long[2 * FIRST_RING]; // 0 marks a free slot; the key 0 itself is kept in a flag
    private boolean hasZero;

    RecentKeys(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.ring = new long[Math.min(FIRST_RING, capacity)];
    }

    /** The bytes the two arrays take once full: what a bound on memory counts for them. */
    static long bytesAtCapacity(int capacity) {
        return Footprint.longArray(capacity) + Footprint.longArray(tableLength(capacity));
    }

    int size() {
        return size;
    }

    long retainedBytes() {
        return Footprint.longArray(ring.length) + Footprint.longArray(table.length);
    }

    boolean contains(long key) {
        if (key == 0) {
            return hasZero;
        }
        int mask = table.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (table[i] == key) {
                return true;
            }
            if (table[i] == 0) {
                return false;
            }
        }
    }

    /** Adds the key unless it is there; beyond the capacity the oldest key goes. True when it was not there. */
    boolean add(long key) {
        if (contains(key)) {
            return false;
        }
        if (size == capacity) {
            forget(ring[oldest]);
            ring[oldest] = key;
            oldest = (oldest + 1) % ring.length;
        } else {
            if (size == ring.length) {
                ring = inOrder(Math.min(2 * ring.length, capacity));
                oldest = 0;
            }
            ring[(oldest + size) % ring.length] = key;
            size++;
            if (2 * size > table.length) {
                rehash(2 * table.length);
            }
        }
        remember(key);
        return true;
    }

    /** The keys, oldest first, as a view: boxed one at a time as they are read. */
    Collection<Long> view() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<Long> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Long next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        return ring[(oldest + next++) % ring.length];
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    private static int tableLength(int keys) {
        return Integer.highestOneBit(Math.max(2 * keys - 1, 1)) * 2; // a power of two at least twice the keys
    }

    private static int slot(long key, int mask) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    private long[] inOrder(int length) {
        long[] copy = new long[length];
        for (int i = 0; i < size; i++) {
            copy[i] = ring[(oldest + i) % ring.length];
        }
        return copy;
    }

    private void remember(long key) {
        if (key == 0) {
            hasZero = true;
            return;
        }
        int mask = table.length - 1;
        int i = slot(key, mask);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = key;
    }

    private void forget(long key) {
        if (key == 0) {
            hasZero = false;
            return;
        }
        int mask = table.length - 1;
        int hole = slot(key, mask);
        while (table[hole] != key) {
            hole = (hole + 1) & mask;
        }
        // Backward shift: a later key of the same run moves into the hole unless its own slot lies after the hole.
        for (int i = (hole + 1) & mask; table[i] != 0; i = (i + 1) & mask) {
            int home = slot(table[i], mask);
            boolean homeAfterHole = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!homeAfterHole) {
                table[hole] = table[i];
                hole = i;
            }
        }
        table[hole] = 0;
    }

    private void rehash(int length) {
        long[] old = table;
        table = new long[length];
        for (long key : old) {
            if (key != 0) {
                remember(key);
            }
        }
    }
}
