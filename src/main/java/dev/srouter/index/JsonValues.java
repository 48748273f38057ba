package dev.srouter.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep copies of JSON-like values (maps, lists, strings, numbers, booleans, null). An index keeps
 * its own copy of what it is given and hands out unmodifiable copies, as a remote does: a caller
 * that changes a map after writing it must not change the stored record.
 */
public final class JsonValues {
    private JsonValues() {}

    /** An unmodifiable deep copy, keys in their original order. */
    public static Map<String, Object> copyMap(Map<String, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, copy(v)));
        return Collections.unmodifiableMap(copy);
    }

    /** An unmodifiable deep copy of a list of maps (function schemas). */
    public static List<Map<String, Object>> copyMaps(List<? extends Map<String, ?>> maps) {
        List<Map<String, Object>> copy = new ArrayList<>(maps.size());
        for (Map<String, ?> m : maps) {
            copy.add(copyMap(m));
        }
        return Collections.unmodifiableList(copy);
    }

    @SuppressWarnings("unchecked")
    private static Object copy(Object value) {
        if (value instanceof Map<?, ?> m) {
            return copyMap((Map<String, ?>) m);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            for (Object o : l) {
                copy.add(copy(o));
            }
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    /** A whole number as YAML and JSON readers give it: an Integer when it fits, else a Long. */
    public static Number whole(long n) {
        if (n == (int) n) {
            return Integer.valueOf((int) n);
        }
        return Long.valueOf(n);
    }
}
