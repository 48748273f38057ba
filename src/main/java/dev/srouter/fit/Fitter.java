package dev.srouter.fit;

import dev.srouter.core.Aggregation;
import dev.srouter.core.Candidate;
import dev.srouter.core.Hit;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns both decisions from the route utterances (training) and labelled validation queries,
 * with every setting chosen on validation data the head has not seen:
 *
 * <ol>
 *   <li>a softmax head trained on the utterances alone scores the validation queries; the mix
 *       {@code alpha} of its probability with the best similarity, and the rejection threshold,
 *       are chosen there for the {@link Objective}: by default to maximise the mean of in-scope
 *       accuracy and out-of-scope recall;
 *       a Platt map from that score to the
 *       probability that the answer is right is fitted on the same queries;
 *   <li>the head is then trained again, from those weights, on the utterances and the validation
 *       queries (those labelled none as one more class, "none"), and keeps the threshold and map;
 *   <li>for the kNN decision, one global threshold is chosen on all the validation queries, and
 *       per-route thresholds are fitted on half of them and kept only when they beat the global
 *       one on the other half.
 * </ol>
 *
 * <p>Without queries labelled none nothing tells a threshold that rejects too much from one that rejects too
 * little, so no threshold is fitted: both decisions keep the kNN threshold in effect, the fitted one as
 * {@code best similarity >= threshold} ({@code alpha} 0), and the head still picks the route.
 */
public final class Fitter {
    /** L2 penalty of the head, chosen on CLINC150's validation split (1e-4..1e-6 were tried; see docs/benchmarks.md). */
    public static final double LAMBDA = 1e-5;
    static final int MAX_ITERATIONS = 300;
    /**
     * The first head only scores the validation queries, to choose the mix, the threshold and the
     * calibration; the final one starts from it, so its iterations are capped (47 s to 29 s for
     * CLINC150 on 2 cores; docs/benchmarks.md).
     */
    static final int FIRST_ITERATIONS = 25;

    private Fitter() {}

    /** A labelled validation query with its embedding and its top-k hits among the route utterances. */
    public record Query(String route, float[] vector, List<Hit> hits) {}

    /**
     * @param perRouteThresholds empty when one global threshold won on held-out data (or was asked for)
     * @param perRouteWon whether the per-route thresholds beat the global one on the held-out half
     * @param knnValidation the kNN decision's figures on validation at the chosen thresholds
     */
    public record Result(FittedModel model, double globalThreshold, Map<String, Double> perRouteThresholds, boolean perRouteWon,
            FittedModel.Validation knnValidation, int iterations) {}

    /**
     * What the thresholds are chosen for on validation: the mean of in-scope accuracy and out-of-scope recall
     * ({@link #BALANCED}), or the most in-scope accuracy at an out-of-scope recall of at least {@code minOosRecall}
     * (ties to the higher recall; where no threshold reaches it, the highest recall). Without queries labelled none no
     * threshold is chosen (see {@link Fitter}).
     */
    public record Objective(double minOosRecall) {
        public static final Objective BALANCED = new Objective(Double.NaN);

        public Objective {
            if (!Double.isNaN(minOosRecall) && (minOosRecall < 0 || minOosRecall > 1)) {
                throw new IllegalArgumentException("an out-of-scope recall is in [0, 1], not " + minOosRecall);
            }
        }

        public boolean balanced() {
            return Double.isNaN(minOosRecall);
        }

        /** Whether {in-scope accuracy, out-of-scope recall} {@code f} is better than {@code best} (null: nothing yet). */
        boolean better(double[] f, double[] best, int outOfScope) {
            if (best == null) {
                return true;
            }
            if (outOfScope == 0 || balanced()) {
                return objective(f, outOfScope) > objective(best, outOfScope) + 1e-12;
            }
            boolean feasible = f[1] >= minOosRecall - 1e-12;
            boolean bestFeasible = best[1] >= minOosRecall - 1e-12;
            if (feasible != bestFeasible) {
                return feasible;
            }
            if (!feasible) {
                return f[1] > best[1] + 1e-12;
            }
            return f[0] > best[0] + 1e-12 || (Math.abs(f[0] - best[0]) <= 1e-12 && f[1] > best[1] + 1e-12);
        }
    }

    /** {@link #fit(RouteSet, Map, List, Aggregation, Thresholds, Objective, double, String, List)} for the balanced objective. */
    public static Result fit(RouteSet routes, Map<String, List<float[]>> utterances, List<Query> validation, Aggregation aggregation,
            Thresholds thresholds, double threshold, String encoder, List<FittedModel.DataFile> data) {
        return fit(routes, utterances, validation, aggregation, thresholds, Objective.BALANCED, threshold, encoder, data);
    }

    /**
     * @param utterances each route's utterance vectors, in the order of {@code routes}
     * @param validation the labelled queries (route null: no route should match)
     * @param objective what the thresholds are chosen for; per-route kNN thresholds only for the balanced one
     * @param threshold the kNN decision's global threshold in effect (the encoder's default), which both decisions keep
     *     when no query is labelled none
     */
    public static Result fit(RouteSet routes, Map<String, List<float[]>> utterances, List<Query> validation, Aggregation aggregation,
            Thresholds thresholds, Objective objective, double threshold, String encoder, List<FittedModel.DataFile> data) {
        if (!objective.balanced() && thresholds == Thresholds.per_route) {
            throw new IllegalArgumentException("per-route thresholds are fitted for the balanced objective only");
        }
        List<String> names = routes.routeNames();
        Map<String, Integer> classOf = new HashMap<>();
        for (int k = 0; k < names.size(); k++) {
            classOf.put(names.get(k), k);
        }
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (Route r : routes.routes()) {
            for (float[] v : utterances.get(r.name())) {
                xs.add(v);
                ys.add(classOf.get(r.name()));
            }
        }
        SoftmaxRegression.Model head = SoftmaxRegression.train(xs.toArray(float[][]::new), ys.stream().mapToInt(Integer::intValue).toArray(),
                names.size(), LAMBDA, null, FIRST_ITERATIONS);
        int iterations = head.iterations();
        FittedModel provisional = model(encoder, routes, head, 0, 0, new Platt(1, 0), data, null);

        // Rejection: the mix and threshold that maximise the balanced objective on validation.
        int n = validation.size();
        double[] probability = new double[n];
        double[] similarity = new double[n];
        boolean[] right = new boolean[n];
        boolean[] none = new boolean[n];
        int inScope = 0;
        FittedDecision probe = new FittedDecision(provisional);
        for (int i = 0; i < n; i++) {
            Query q = validation.get(i);
            // Threshold 0 and alpha 0 do not reject: the top candidate carries the head's answer.
            Candidate top = probe.decide("", q.vector(), q.hits(), 1, Set.of()).candidates().get(0);
            probability[i] = top.score();
            similarity[i] = top.bestSimilarity();
            none[i] = q.route() == null;
            right[i] = !none[i] && q.route().equals(top.route());
            inScope += none[i] ? 0 : 1;
        }
        int outOfScope = n - inScope;
        double bestAlpha = 0;
        double bestThreshold = threshold;
        double[] bestFigures = null;
        if (outOfScope == 0) {
            bestFigures = figures(mixed(0, probability, similarity), threshold, right, none, inScope, outOfScope);
        } else {
            for (int a = 0; a <= 10; a++) {
                double alpha = a / 10.0;
                double[] score = mixed(alpha, probability, similarity);
                for (double t : candidates(score, !objective.balanced())) {
                    double[] f = figures(score, t, right, none, inScope, outOfScope);
                    if (objective.better(f, bestFigures, outOfScope)) {
                        bestAlpha = alpha;
                        bestThreshold = t;
                        bestFigures = f;
                    }
                }
            }
        }
        Platt platt = Platt.fit(mixed(bestAlpha, probability, similarity), right);

        // The final head also learns from the validation queries: the in-scope ones as their routes, the
        // out-of-scope ones as one more class, "none", whose share of probability then lowers the routes'.
        int noneClass = names.size();
        for (Query q : validation) {
            xs.add(q.vector());
            ys.add(q.route() == null ? noneClass : classOf.get(q.route()));
        }
        int classes = outOfScope > 0 ? names.size() + 1 : names.size();
        double[] start = java.util.Arrays.copyOf(head.weights(), classes * (head.dimension() + 1));
        SoftmaxRegression.Model finalHead = SoftmaxRegression.train(xs.toArray(float[][]::new), ys.stream().mapToInt(Integer::intValue).toArray(),
                classes, LAMBDA, new SoftmaxRegression.Model(classes, head.dimension(), start, 0), MAX_ITERATIONS);
        iterations += finalHead.iterations();
        FittedModel model = model(encoder, routes, finalHead, bestAlpha, bestThreshold, platt, data,
                new FittedModel.Validation(inScope, outOfScope, bestFigures[0], bestFigures[1]));

        Knn knn = knnThresholds(routes, validation, aggregation, inScope, outOfScope, thresholds, objective, threshold);
        return new Result(model, knn.global, knn.perRoute, knn.won, knn.validation, iterations);
    }

    private static FittedModel model(String encoder, RouteSet routes, SoftmaxRegression.Model head, double alpha, double threshold, Platt platt,
            List<FittedModel.DataFile> data, FittedModel.Validation validation) {
        float[] w = new float[head.weights().length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) head.weights()[i];
        }
        return new FittedModel(encoder, FittedModel.routesHash(routes), routes.routeNames(), head.dimension(), w, alpha, threshold, platt.a(),
                platt.b(), data, validation == null ? new FittedModel.Validation(0, 0, 0, 0) : validation);
    }

    /** Each query's rejection score at {@code alpha}, as {@link FittedDecision#score} computes it. */
    private static double[] mixed(double alpha, double[] probability, double[] similarity) {
        double[] score = new double[probability.length];
        for (int i = 0; i < score.length; i++) {
            score[i] = FittedDecision.score(alpha, probability[i], similarity[i]);
        }
        return score;
    }

    /**
     * The distinct scores, each a threshold that changes the decision of at least one query, and 0; with {@code aboveAll},
     * also one just above the highest score, which rejects every query (the one way to reach some recalls).
     */
    private static double[] candidates(double[] score, boolean aboveAll) {
        double[] sorted = java.util.Arrays.stream(score).distinct().sorted().toArray();
        double[] out = new double[sorted.length + (aboveAll && sorted.length > 0 ? 2 : 1)];
        System.arraycopy(sorted, 0, out, 1, sorted.length);
        if (out.length > sorted.length + 1) {
            out[out.length - 1] = Math.nextUp(sorted[sorted.length - 1]);
        }
        return out;
    }

    /** {in-scope accuracy, out-of-scope recall}: a query passes when its score reaches the threshold. */
    private static double[] figures(double[] score, double threshold, boolean[] right, boolean[] none, int inScope, int outOfScope) {
        int hits = 0;
        int rejected = 0;
        for (int i = 0; i < score.length; i++) {
            boolean passes = score[i] >= threshold;
            if (none[i]) {
                rejected += passes ? 0 : 1;
            } else if (passes && right[i]) {
                hits++;
            }
        }
        return new double[] {inScope == 0 ? 0 : (double) hits / inScope, outOfScope == 0 ? 0 : (double) rejected / outOfScope};
    }

    /** The balanced objective: the mean of in-scope accuracy and out-of-scope recall; accuracy alone without out-of-scope queries. */
    private static double objective(double[] figures, int outOfScope) {
        return outOfScope == 0 ? figures[0] : (figures[0] + figures[1]) / 2;
    }

    private record Knn(double global, Map<String, Double> perRoute, boolean won, FittedModel.Validation validation) {}

    /** Which kNN thresholds to write: per-route ones where they win on held-out queries (auto), or always one kind. */
    public enum Thresholds { auto, global, per_route }

    private static Knn knnThresholds(RouteSet routes, List<Query> validation, Aggregation aggregation, int inScope, int outOfScope,
            Thresholds thresholds, Objective objective, double kept) {
        double global = outOfScope == 0 ? kept : bestGlobal(validation, aggregation, outOfScope, objective);
        if (!objective.balanced() || outOfScope == 0) {
            double[] f = knnFigures(validation, Map.of(), global, aggregation, inScope, outOfScope);
            return new Knn(global, Map.of(), false, new FittedModel.Validation(inScope, outOfScope, f[0], f[1]));
        }
        // Per-route thresholds: fitted on the even queries, judged against the global one on the odd ones.
        List<Query> fitHalf = new ArrayList<>();
        List<Query> judgeHalf = new ArrayList<>();
        for (int i = 0; i < validation.size(); i++) {
            (i % 2 == 0 ? fitHalf : judgeHalf).add(validation.get(i));
        }
        Map<String, Double> perRoute = new TreeMap<>();
        for (String name : routes.routeNames()) {
            perRoute.put(name, global);
        }
        int fitOos = (int) fitHalf.stream().filter(q -> q.route() == null).count();
        double inWeight = 1.0 / Math.max(1, fitHalf.size() - fitOos);
        double oosWeight = fitOos == 0 ? 0 : 1.0 / fitOos;
        for (String name : routes.routeNames()) {
            List<Query> involved = fitHalf.stream().filter(q -> name.equals(q.route()) || q.hits().stream().anyMatch(h -> h.route().equals(name)))
                    .toList();
            if (involved.isEmpty()) {
                continue;
            }
            double bestValue = Double.NEGATIVE_INFINITY;
            double best = global;
            for (int t = 0; t <= 100; t++) {
                double threshold = t / 100.0;
                perRoute.put(name, threshold);
                double value = counts(involved, perRoute, global, aggregation, inWeight, oosWeight);
                if (value > bestValue + 1e-12 || (Math.abs(value - bestValue) <= 1e-12 && Math.abs(threshold - global) < Math.abs(best - global))) {
                    bestValue = value;
                    best = threshold;
                }
            }
            perRoute.put(name, best);
        }
        int judgeIn = (int) judgeHalf.stream().filter(q -> q.route() != null).count();
        int judgeOos = judgeHalf.size() - judgeIn;
        double[] withGlobal = knnFigures(judgeHalf, Map.of(), global, aggregation, judgeIn, judgeOos);
        double[] withPerRoute = knnFigures(judgeHalf, perRoute, global, aggregation, judgeIn, judgeOos);
        boolean keep = objective(withPerRoute, judgeOos) > objective(withGlobal, judgeOos) + 1e-9;
        boolean usePerRoute = thresholds == Thresholds.per_route || (thresholds == Thresholds.auto && keep);
        Map<String, Double> chosen = usePerRoute ? perRoute : Map.of();
        double[] f = knnFigures(validation, chosen, global, aggregation, inScope, outOfScope);
        return new Knn(global, chosen, keep, new FittedModel.Validation(inScope, outOfScope, f[0], f[1]));
    }

    /**
     * The global kNN threshold, in steps of 0.01, best for the objective on validation; of a run of thresholds that all
     * give the best figures, the middle one (the lower of two), the farthest from both the queries it lets through and
     * those it stops. With few validation queries the run is wide, and its lowest threshold, which barely stops the
     * highest out-of-scope query, let many new ones through (docs/benchmarks.md, "Small route sets").
     */
    static double bestGlobal(List<Query> validation, Aggregation aggregation, int outOfScope, Objective objective) {
        int inScope = validation.size() - outOfScope;
        double[][] figures = new double[101][];
        int best = 0;
        for (int t = 0; t <= 100; t++) {
            figures[t] = knnFigures(validation, Map.of(), t / 100.0, aggregation, inScope, outOfScope);
            if (objective.better(figures[t], t == 0 ? null : figures[best], outOfScope)) {
                best = t;
            }
        }
        int last = best;
        while (last < 100 && java.util.Arrays.equals(figures[last + 1], figures[best])) {
            last++;
        }
        return (best + last) / 2 / 100.0;
    }

    /** Right answers and right rejections among {@code queries}, each weighted as the balanced objective weighs it. */
    private static double counts(List<Query> queries, Map<String, Double> thresholds, double global, Aggregation aggregation, double inWeight,
            double oosWeight) {
        int[] right = knnRight(queries, thresholds, global, aggregation);
        return right[0] * inWeight + right[1] * oosWeight;
    }

    static double[] knnFigures(List<Query> queries, Map<String, Double> thresholds, double global, Aggregation aggregation, int inScope,
            int outOfScope) {
        int[] right = knnRight(queries, thresholds, global, aggregation);
        return new double[] {inScope == 0 ? 0 : (double) right[0] / inScope, outOfScope == 0 ? 0 : (double) right[1] / outOfScope};
    }

    /** {queries labelled with a route that the kNN decision gives it, queries labelled none that it gives none}. */
    private static int[] knnRight(List<Query> queries, Map<String, Double> thresholds, double global, Aggregation aggregation) {
        Router router = new Router(thresholds, global, aggregation);
        int hits = 0;
        int rejected = 0;
        for (Query q : queries) {
            String got = router.decide("", q.hits(), 1).best().map(Candidate::route).orElse(null);
            if (q.route() == null) {
                rejected += got == null ? 1 : 0;
            } else if (q.route().equals(got)) {
                hits++;
            }
        }
        return new int[] {hits, rejected};
    }
}
