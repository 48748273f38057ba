package dev.srouter.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** Splitting a list into the requests a server accepts (by count, or by count and bytes). */
public final class Batches {
    private Batches() {}

    /** Consecutive views of at most {@code size} items each, in order; none for an empty list. */
    public static <T> List<List<T>> of(List<T> items, int size) {
        int n = Math.max(1, size);
        List<List<T>> out = new ArrayList<>((items.size() + n - 1) / n);
        for (int from = 0; from < items.size(); from += n) {
            out.add(items.subList(from, Math.min(items.size(), from + n)));
        }
        return out;
    }

    /**
     * Consecutive batches, in order, of at most {@code maxCount} items whose {@code bytes} (plus a few
     * for framing each) add up to at most {@code maxBytes}; an item larger than that goes alone.
     */
    public static <T> List<List<T>> bySize(List<T> items, ToIntFunction<T> bytes, long maxBytes, int maxCount) {
        List<List<T>> out = new ArrayList<>();
        List<T> current = new ArrayList<>();
        long used = 0;
        for (T item : items) {
            int size = bytes.applyAsInt(item) + 8;
            if (!current.isEmpty() && (used + size > maxBytes || current.size() >= maxCount)) {
                out.add(current);
                current = new ArrayList<>();
                used = 0;
            }
            current.add(item);
            used += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }
}
