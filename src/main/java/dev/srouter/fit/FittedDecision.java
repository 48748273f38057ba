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
    /** The head's weights dimension-major, {@code [j * classes + k]}, so a query's logits are a loop over classes the JIT vectorizes. */
    private final float[] byDimension;
    private final float[] bias;
    private final int classes;
    /** Each route's place in name order, the tie-break of equal probabilities. */
    private final int[] nameRank;

    public FittedDecision(FittedModel model) {
        this.model = model;
        int d = model.dimension();
        this.classes = model.weights().length / (d + 1); // the routes, and "none" when the head has it
        this.byDimension = new float[d * classes];
        this.bias = new float[classes];
        float[] w = model.weights();
        for (int k = 0; k < classes; k++) {
            for (int j = 0; j < d; j++) {
                byDimension[j * classes + k] = w[k * (d + 1) + j];
            }
            bias[k] = w[k * (d + 1) + d];
        }
        List<String> routes = model.routes();
        Integer[] byName = new Integer[routes.size()];
        for (int k = 0; k < byName.length; k++) {
            byName[k] = k;
        }
        java.util.Arrays.sort(byName, Comparator.comparing(routes::get));
        this.nameRank = new int[routes.size()];
        for (int r = 0; r < byName.length; r++) {
            nameRank[byName[r]] = r;
        }
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
        boolean[] taken = new boolean[p.length];
        double floor = nearest.isEmpty() ? 0 : nearest.get(nearest.size() - 1).score();
        double minConfidence = model.minConfidence();
        List<Candidate> candidates = new ArrayList<>();
        List<Candidate> passing = new ArrayList<>();
        double bestConfidence = Double.NaN;
        // Routes by probability, highest first (ties by name), picked one at a time: most decisions need only the first few.
        for (int k = next(p, taken); k >= 0; k = next(p, taken)) {
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

    /** The route of highest probability not yet taken (the name first on ties), marked taken; -1 when none with probability above 0 is left. */
    private int next(double[] p, boolean[] taken) {
        int best = -1;
        for (int k = 0; k < p.length; k++) {
            if (!taken[k] && p[k] > 0 && (best < 0 || p[k] > p[best] || (p[k] == p[best] && nameRank[k] < nameRank[best]))) {
                best = k;
            }
        }
        if (best >= 0) {
            taken[best] = true;
        }
        return best;
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
        float[] logits = bias.clone();
        for (int j = 0; j < d; j++) {
            float xj = x[j];
            int o = j * classes;
            for (int k = 0; k < classes; k++) {
                logits[k] += byDimension[o + k] * xj;
            }
        }
        double[] z = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            if (k < routes && !filter.isEmpty() && !filter.contains(model.routes().get(k))) {
                z[k] = Double.NEGATIVE_INFINITY;
                continue;
            }
            z[k] = logits[k];
            max = Math.max(max, z[k]);
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
