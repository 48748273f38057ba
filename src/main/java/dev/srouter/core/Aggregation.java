package dev.srouter.core;

import java.util.List;
import java.util.Locale;

/** How the similarities of one route's hits among the top-k become the route's score. */
public enum Aggregation {
    MEAN, MAX, SUM;

    /**
     * srouter's default, {@code sum}: on CLINC150's validation split it ranks routes best of the three at every top-k from 3
     * to 20, with both local encoders (docs/benchmarks.md). semantic-router 0.1.x defaults to {@code mean}, 0.0.x to
     * {@code sum}; the threshold test (best similarity) is the same whichever is used.
     */
    public static final String DEFAULT = "sum";

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
