package dev.srouter.fit;

import dev.srouter.core.Candidate;
import dev.srouter.core.Hit;
import dev.srouter.core.RouteDecision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Decides with a {@link FittedModel}: the head's probabilities rank the routes; a route passes when
 * its rejection score, {@code alpha * probability + (1 - alpha) * best similarity} (the route's
 * best similarity among the top-k hits, else the lowest hit's, which bounds it from above),
 * reaches the fitted threshold; the confidence is the Platt map of that score. Pure.
 */
public final class FittedDecision {
    /** Candidates shown by --explain: the routes of highest probability. */
    private static final int SHOWN = 5;

    private final FittedModel model;

    public FittedDecision(FittedModel model) {
        this.model = model;
    }

    public FittedModel model() {
        return model;
    }

    /**
     * @param hits the top-k hits of the query (its nearest utterances), any order
     * @param filter routes allowed (empty: all)
     */
    public RouteDecision decide(String text, float[] vector, List<Hit> hits, int limit, Set<String> filter) {
        List<Hit> nearest = new ArrayList<>(hits);
        nearest.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::route).thenComparing(Hit::utterance));
        double[] p = probabilities(vector, filter);
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < p.length; k++) {
            if (p[k] > 0) {
                order.add(k);
            }
        }
        order.sort(Comparator.<Integer>comparingDouble(k -> -p[k]).thenComparing(k -> model.routes().get(k)));
        double floor = nearest.isEmpty() ? 0 : nearest.get(nearest.size() - 1).score();
        double minConfidence = model.minConfidence();
        List<Candidate> candidates = new ArrayList<>();
        List<Candidate> passing = new ArrayList<>();
        double bestConfidence = Double.NaN;
        for (int k : order) {
            if (candidates.size() >= Math.max(SHOWN, limit) && passing.size() >= limit) {
                break;
            }
            String route = model.routes().get(k);
            int count = 0;
            double similarity = floor;
            for (Hit h : nearest) {
                if (h.route().equals(route)) {
                    similarity = count == 0 ? h.score() : similarity;
                    count++;
                }
            }
            double score = score(model.alpha(), p[k], similarity);
            boolean passed = score >= model.scoreThreshold();
            Candidate c = new Candidate(route, p[k], similarity, minConfidence, passed, count);
            candidates.add(c);
            if (passed && passing.size() < Math.max(1, limit)) {
                if (passing.isEmpty()) {
                    bestConfidence = model.confidence(score);
                }
                passing.add(c);
            }
        }
        return new RouteDecision(text, passing, candidates, nearest,
                passing.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(bestConfidence), RouteDecision.FITTED);
    }

    /** The rejection score: {@code alpha * probability + (1 - alpha) * similarity}. */
    static double score(double alpha, double probability, double similarity) {
        return alpha * probability + (1 - alpha) * similarity;
    }

    /**
     * The head's probabilities of the routes, over {@code filter} (and "none") when it is not empty, 0 outside it.
     */
    double[] probabilities(float[] x, Set<String> filter) {
        int routes = model.routes().size();
        int d = model.dimension();
        int classes = model.weights().length / (d + 1); // the routes, and "none" when the head has it
        float[] w = model.weights();
        double[] z = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            if (k < routes && !filter.isEmpty() && !filter.contains(model.routes().get(k))) {
                z[k] = Double.NEGATIVE_INFINITY;
                continue;
            }
            int o = k * (d + 1);
            double sum = w[o + d];
            for (int j = 0; j < d; j++) {
                sum += w[o + j] * x[j];
            }
            z[k] = sum;
            max = Math.max(max, sum);
        }
        double total = 0;
        for (int k = 0; k < classes; k++) {
            z[k] = z[k] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(z[k] - max);
            total += z[k];
        }
        // A route's probability keeps the share the head gives "none": it is not renormalised over the routes.
        double[] p = new double[routes];
        for (int k = 0; k < routes; k++) {
            p[k] = z[k] / total;
        }
        return p;
    }
}
