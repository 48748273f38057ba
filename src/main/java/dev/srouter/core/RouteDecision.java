package dev.srouter.core;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the router decided for one text.
 *
 * @param routes the passing routes, best first, at most the requested limit (empty: no route)
 * @param candidates every route among the top-k hits, best first, passing or not
 * @param nearest the top-k hits, nearest first
 * @param confidence the calibrated probability, in [0,1], that the best route is the right one
 *     (empty for the kNN decision, which has no calibrated confidence)
 * @param decidedBy which decision made the call: {@link #KNN} or {@link #FITTED}
 */
public record RouteDecision(String text, List<Candidate> routes, List<Candidate> candidates, List<Hit> nearest, OptionalDouble confidence,
        String decidedBy) {
    /** semantic-router's decision: top-k similarities aggregated per route, against thresholds. */
    public static final String KNN = "knn";
    /** The decision learned by {@code srouter fit}. */
    public static final String FITTED = "fitted";

    public RouteDecision {
        routes = List.copyOf(routes);
        candidates = List.copyOf(candidates);
        nearest = List.copyOf(nearest);
        java.util.Objects.requireNonNull(confidence, "confidence");
        java.util.Objects.requireNonNull(decidedBy, "decidedBy");
    }

    /** A kNN decision, without a confidence. */
    public RouteDecision(String text, List<Candidate> routes, List<Candidate> candidates, List<Hit> nearest) {
        this(text, routes, candidates, nearest, OptionalDouble.empty(), KNN);
    }

    public Optional<Candidate> best() {
        return routes.isEmpty() ? Optional.empty() : Optional.of(routes.get(0));
    }
}
