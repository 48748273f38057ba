package dev.srouter.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Equality of JSON-like values (String, Number, Boolean, null, List, Map) by value, as the diff needs it.
 *
 * <p>{@link Object#equals} is not enough: the same metadata reaches us as Long from YAML, as Double or BigDecimal from a
 * remote's JSON, so {@code 0.5}, {@code 0.50} and {@code 1} vs {@code 1.0} must compare equal, or every sync would
 * rewrite payloads that did not change. Maps compare by their entries (key order is irrelevant), lists element by
 * element in order.
 */
public final class Values {
    private Values() {}

    /** Whether {@code a} and {@code b} are the same JSON value. */
    public static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return numbersEqual(x, y);
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            return mapsEqual(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return listsEqual(x, y);
        }
        return a.equals(b);
    }

    private static boolean mapsEqual(Map<?, ?> a, Map<?, ?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<?, ?> e : a.entrySet()) {
            Object other = b.get(e.getKey());
            if (other == null && !b.containsKey(e.getKey()) || !equal(e.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    private static boolean listsEqual(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Iterator<?> i = a.iterator();
        Iterator<?> j = b.iterator();
        while (i.hasNext()) {
            if (!equal(i.next(), j.next())) {
                return false;
            }
        }
        return true;
    }

    private static boolean numbersEqual(Number a, Number b) {
        BigDecimal x = decimal(a);
        BigDecimal y = decimal(b);
        if (x == null || y == null) {
            // NaN or an infinity: equal only to itself.
            return Objects.equals(a.doubleValue(), b.doubleValue());
        }
        return x.compareTo(y) == 0;
    }

    /** The exact decimal a number was written as, or null for NaN and the infinities. */
    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return BigDecimal.valueOf(n.longValue());
        }
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return null;
        }
        // Float's shortest decimal, not the binary expansion of its widened double (0.1f is "0.1", not 0.10000000149).
        return new BigDecimal(n instanceof Float f ? Float.toString(f) : Double.toString(d));
    }
}
