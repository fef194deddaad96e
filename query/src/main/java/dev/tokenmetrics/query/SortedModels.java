package dev.tokenmetrics.query;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A row's usage per model, immutable, in model-name order, with the order a report lists them in (most expensive,
 * then most tokens, first) worked out once: a few entries in two small arrays, where a report of 5,000 rows made a
 * TreeMap, an immutable copy and two sorted streams a row.
 */
final class SortedModels extends AbstractMap<String, Usage> {

    static final SortedModels NONE = new SortedModels(new String[0], new Usage[0], 0);

    private final String[] names;
    private final Usage[] usages;
    private final List<String> nameList;
    private final List<Map.Entry<String, Usage>> byCost;

    /** Takes the first {@code size} names (distinct) and their usages; sorts them in place. */
    private SortedModels(String[] names, Usage[] usages, int size) {
        this.names = names.length == size ? names : Arrays.copyOf(names, size);
        this.usages = usages.length == size ? usages : Arrays.copyOf(usages, size);
        insertionSort(this.names, this.usages);
        this.nameList = List.of(this.names);
        @SuppressWarnings("unchecked")
        Map.Entry<String, Usage>[] entries = new Map.Entry[size];
        for (int i = 0; i < size; i++) {
            entries[i] = Map.entry(this.names[i], this.usages[i]);
        }
        for (int i = 1; i < size; i++) { // a few entries: insertion sort, stable
            Map.Entry<String, Usage> entry = entries[i];
            int j = i - 1;
            while (j >= 0 && byCost(entries[j], entry) > 0) {
                entries[j + 1] = entries[j];
                j--;
            }
            entries[j + 1] = entry;
        }
        this.byCost = List.of(entries);
    }

    static SortedModels of(String[] names, Usage[] usages, int size) {
        return size == 0 ? NONE : new SortedModels(names, usages, size);
    }

    static SortedModels of(Map<String, Usage> models) {
        if (models instanceof SortedModels sorted) {
            return sorted;
        }
        String[] names = new String[models.size()];
        Usage[] usages = new Usage[names.length];
        int size = 0;
        for (Map.Entry<String, Usage> model : models.entrySet()) {
            names[size] = java.util.Objects.requireNonNull(model.getKey());
            usages[size++] = java.util.Objects.requireNonNull(model.getValue());
        }
        return of(names, usages, size);
    }

    private static void insertionSort(String[] names, Usage[] usages) {
        for (int i = 1; i < names.length; i++) {
            String name = names[i];
            Usage usage = usages[i];
            int j = i - 1;
            while (j >= 0 && names[j].compareTo(name) > 0) {
                names[j + 1] = names[j];
                usages[j + 1] = usages[j];
                j--;
            }
            names[j + 1] = name;
            usages[j + 1] = usage;
        }
    }

    /** Most expensive first, then most tokens, then by name. */
    private static int byCost(Map.Entry<String, Usage> a, Map.Entry<String, Usage> b) {
        int byCost = Long.compare(b.getValue().exactPicos() + b.getValue().estimatedPicos(),
                a.getValue().exactPicos() + a.getValue().estimatedPicos());
        if (byCost != 0) {
            return byCost;
        }
        int byTokens = Long.compare(b.getValue().totalTokens(), a.getValue().totalTokens());
        return byTokens != 0 ? byTokens : a.getKey().compareTo(b.getKey());
    }

    /** The model names, sorted. */
    List<String> names() {
        return nameList;
    }

    /** The models, most expensive (then most tokens) first. */
    List<Map.Entry<String, Usage>> byCost() {
        return byCost;
    }

    @Override
    public Usage get(Object key) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(key)) {
                return usages[i];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public Set<Map.Entry<String, Usage>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Usage>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < names.length;
                    }

                    @Override
                    public Map.Entry<String, Usage> next() {
                        if (next >= names.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, Usage> entry = Map.entry(names[next], usages[next]);
                        next++;
                        return entry;
                    }
                };
            }

            @Override
            public int size() {
                return names.length;
            }
        };
    }
}
