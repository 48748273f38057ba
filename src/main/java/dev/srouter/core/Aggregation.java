package dev.srouter.core;

import java.util.List;
import java.util.Locale;

/** How the similarities of one route's hits among the top-k become the route's score. */
public enum Aggregation {
    MEAN, MAX, SUM;

    public double apply(List<Double> scores) {
        double acc = this == MAX ? Double.NEGATIVE_INFINITY : 0;
        for (double s : scores) {
            acc = this == MAX ? Math.max(acc, s) : acc + s;
        }
        return this == MEAN ? acc / scores.size() : acc;
    }

    public static Aggregation parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SrouterException.usage("unknown aggregation '" + text + "': use mean, max or sum");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
