package dev.srouter.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the top-k hits of a query into a decision, with the semantics of semantic-router's
 * {@code SemanticRouter.__call__}: hits are grouped by route, each route's similarities are
 * aggregated (mean, max or sum) into its score, routes are ranked by score, and a route passes
 * when its best similarity among the hits reaches its threshold (its own score_threshold, else
 * the global one). The first {@code limit} passing routes are returned, best first.
 *
 * <p>Pure: no I/O, no state besides its settings.
 */
public final class Router {
    private final Map<String, Double> routeThresholds;
    private final double defaultThreshold;
    private final Aggregation aggregation;

    public Router(Map<String, Double> routeThresholds, double defaultThreshold, Aggregation aggregation) {
        this.routeThresholds = Map.copyOf(routeThresholds);
        this.defaultThreshold = defaultThreshold;
        this.aggregation = aggregation;
    }

    public double thresholdOf(String route) {
        return routeThresholds.getOrDefault(route, defaultThreshold);
    }

    public double defaultThreshold() {
        return defaultThreshold;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    /** A copy with another global threshold (the REPL's {@code :threshold}). */
    public Router withDefaultThreshold(double threshold) {
        return new Router(routeThresholds, threshold, aggregation);
    }

    /**
     * @param hits the top-k hits of the query, in any order
     * @param limit how many passing routes to return at most (>= 1)
     */
    public RouteDecision decide(String text, List<Hit> hits, int limit) {
        List<Hit> nearest = new ArrayList<>(hits);
        nearest.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::route).thenComparing(Hit::utterance));

        Map<String, List<Double>> byRoute = new LinkedHashMap<>();
        for (Hit h : nearest) {
            byRoute.computeIfAbsent(h.route(), k -> new ArrayList<>()).add(h.score());
        }
        List<Candidate> candidates = new ArrayList<>(byRoute.size());
        for (Map.Entry<String, List<Double>> e : byRoute.entrySet()) {
            List<Double> scores = e.getValue();
            double best = scores.get(0); // nearest is sorted, so the first is the highest
            double threshold = thresholdOf(e.getKey());
            candidates.add(new Candidate(e.getKey(), aggregation.apply(scores), best, threshold, best >= threshold, scores.size()));
        }
        // Ties broken by name so that the answer never depends on the order the index returned.
        candidates.sort(Comparator.comparingDouble(Candidate::score).reversed().thenComparing(Candidate::route));

        List<Candidate> passing = candidates.stream().filter(Candidate::passed).limit(Math.max(1, limit)).toList();
        return new RouteDecision(text, passing, candidates, nearest);
    }
}
