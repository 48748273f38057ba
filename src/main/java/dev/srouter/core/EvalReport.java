package dev.srouter.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * How well routing decisions match labelled queries (what {@code srouter eval} reports), computed from
 * (expected, got, confidence) triples alone, so that the figures can be checked without an encoder.
 *
 * <ul>
 *   <li>In-scope accuracy: of the queries labelled with a route, the share that got exactly that route (no
 *       route counts as wrong).
 *   <li>Out-of-scope recall: of the queries labelled none, the share that got no route.
 *   <li>Per route: support (queries labelled with it), predicted (queries that got it), precision = correct /
 *       predicted, recall = correct / support, F1 = 2 correct / (support + predicted) (the harmonic mean of the
 *       two, and 0 when either is 0); each is absent when its denominator is 0.
 *   <li>Confused pairs: (expected, got) with expected != got, most frequent first.
 *   <li>Expected calibration error over the decisions that return a route and carry a confidence: 10 equal-width
 *       bins (bin i holds confidences in [i/10, (i+1)/10), the last one also 1.0), and the sum over bins of
 *       |mean confidence - accuracy| weighted by the bin's share of those decisions. Absent when no decision
 *       carries a confidence.
 * </ul>
 */
public final class EvalReport {
    /** The number of equal-width confidence bins of the calibration error. */
    public static final int BINS = 10;

    /**
     * One labelled query and what it got.
     *
     * @param expected the route of its label, or null for none
     * @param got the route the decision returned, or null for none
     * @param confidence the decision's calibrated confidence in its route, when it has one
     */
    public record Outcome(String expected, String got, OptionalDouble confidence) {
        public Outcome {
            Objects.requireNonNull(confidence, "confidence");
        }

        public Outcome(String expected, String got) {
            this(expected, got, OptionalDouble.empty());
        }

        public boolean correct() {
            return Objects.equals(expected, got);
        }
    }

    /** The figures of one route; a ratio is absent (null) when its denominator is 0. */
    public record RouteStats(String route, int support, int predicted, int correct, Double precision, Double recall, Double f1) {}

    /** A pair (expected, got) of different routes (null for none) and how many queries it holds. */
    public record Confusion(String expected, String got, int count) {}

    /**
     * One confidence bin with at least one decision.
     *
     * @param from inclusive lower bound
     * @param to upper bound (exclusive, except 1.0 for the last bin)
     */
    public record Bin(double from, double to, int count, double confidence, double accuracy) {}

    private final int queries;
    private final int inScope;
    private final int inScopeCorrect;
    private final int inScopeNoRoute;
    private final int outOfScope;
    private final int outOfScopeCorrect;
    private final List<RouteStats> routes;
    private final List<Confusion> confusions;
    private final List<Bin> bins;
    private final int calibrated;
    private final Double ece;

    private EvalReport(List<Outcome> outcomes, Collection<String> routeNames) {
        queries = outcomes.size();
        int in = 0;
        int inOk = 0;
        int inNone = 0;
        int out = 0;
        int outOk = 0;
        for (Outcome o : outcomes) {
            if (o.expected() != null) {
                in++;
                inOk += o.correct() ? 1 : 0;
                inNone += o.got() == null ? 1 : 0;
            } else {
                out++;
                outOk += o.got() == null ? 1 : 0;
            }
        }
        inScope = in;
        inScopeCorrect = inOk;
        inScopeNoRoute = inNone;
        outOfScope = out;
        outOfScopeCorrect = outOk;
        routes = perRoute(outcomes, routeNames);
        confusions = confusions(outcomes);

        double[] confSum = new double[BINS];
        int[] count = new int[BINS];
        int[] right = new int[BINS];
        int n = 0;
        for (Outcome o : outcomes) {
            if (o.got() == null || o.confidence().isEmpty()) {
                continue;
            }
            double c = Math.max(0, Math.min(1, o.confidence().getAsDouble()));
            int b = Math.min(BINS - 1, (int) Math.floor(c * BINS));
            confSum[b] += c;
            count[b]++;
            right[b] += o.correct() ? 1 : 0;
            n++;
        }
        List<Bin> bs = new ArrayList<>();
        double e = 0;
        for (int b = 0; b < BINS; b++) {
            if (count[b] == 0) {
                continue;
            }
            double meanConf = confSum[b] / count[b];
            double acc = (double) right[b] / count[b];
            bs.add(new Bin((double) b / BINS, (double) (b + 1) / BINS, count[b], meanConf, acc));
            e += (double) count[b] / n * Math.abs(meanConf - acc);
        }
        bins = List.copyOf(bs);
        calibrated = n;
        ece = n == 0 ? null : e;
    }

    /**
     * @param routeNames the routes to report on, in this order, even those no query names or gets (the routes
     *     file's); routes that only the outcomes name follow, by name
     */
    public static EvalReport of(List<Outcome> outcomes, Collection<String> routeNames) {
        return new EvalReport(List.copyOf(outcomes), routeNames);
    }

    public static EvalReport of(List<Outcome> outcomes) {
        return of(outcomes, List.of());
    }

    private static List<RouteStats> perRoute(List<Outcome> outcomes, Collection<String> routeNames) {
        Set<String> names = new LinkedHashSet<>(routeNames);
        Set<String> others = new TreeSet<>();
        for (Outcome o : outcomes) {
            for (String r : new String[] {o.expected(), o.got()}) {
                if (r != null && !names.contains(r)) {
                    others.add(r);
                }
            }
        }
        names.addAll(others);
        Map<String, int[]> counts = new LinkedHashMap<>(); // support, predicted, correct
        names.forEach(r -> counts.put(r, new int[3]));
        for (Outcome o : outcomes) {
            if (o.expected() != null) {
                counts.get(o.expected())[0]++;
            }
            if (o.got() != null) {
                counts.get(o.got())[1]++;
                if (o.correct()) {
                    counts.get(o.got())[2]++;
                }
            }
        }
        List<RouteStats> out = new ArrayList<>();
        counts.forEach((route, c) -> out.add(new RouteStats(route, c[0], c[1], c[2], ratio(c[2], c[1]), ratio(c[2], c[0]),
                ratio(2 * c[2], c[0] + c[1]))));
        return List.copyOf(out);
    }

    private static List<Confusion> confusions(List<Outcome> outcomes) {
        Map<List<String>, Integer> pairs = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            if (!o.correct()) {
                pairs.merge(java.util.Arrays.asList(o.expected(), o.got()), 1, Integer::sum);
            }
        }
        Comparator<String> noneFirst = Comparator.nullsFirst(Comparator.naturalOrder());
        return pairs.entrySet().stream()
                .map(e -> new Confusion(e.getKey().get(0), e.getKey().get(1), e.getValue()))
                .sorted(Comparator.comparingInt(Confusion::count).reversed()
                        .thenComparing(Confusion::expected, noneFirst)
                        .thenComparing(Confusion::got, noneFirst))
                .toList();
    }

    private static Double ratio(int num, int den) {
        return den == 0 ? null : (double) num / den;
    }

    public int queries() {
        return queries;
    }

    /** Queries labelled with a route. */
    public int inScope() {
        return inScope;
    }

    /** Of {@link #inScope()}, those that got exactly their route. */
    public int inScopeCorrect() {
        return inScopeCorrect;
    }

    /** Of {@link #inScope()}, those that got no route. */
    public int inScopeNoRoute() {
        return inScopeNoRoute;
    }

    /** Of {@link #inScope()}, those that got another route. */
    public int inScopeWrongRoute() {
        return inScope - inScopeCorrect - inScopeNoRoute;
    }

    /** Queries labelled none. */
    public int outOfScope() {
        return outOfScope;
    }

    /** Of {@link #outOfScope()}, those that got no route. */
    public int outOfScopeCorrect() {
        return outOfScopeCorrect;
    }

    /** Of {@link #outOfScope()}, those that got a route. */
    public int outOfScopeRouted() {
        return outOfScope - outOfScopeCorrect;
    }

    /** In-scope accuracy; empty when no query is labelled with a route. */
    public OptionalDouble accuracy() {
        return inScope == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) inScopeCorrect / inScope);
    }

    /** Out-of-scope recall; empty when no query is labelled none. */
    public OptionalDouble outOfScopeRecall() {
        return outOfScope == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) outOfScopeCorrect / outOfScope);
    }

    /** Queries whose decision differs from their label. */
    public int misses() {
        return queries - inScopeCorrect - outOfScopeCorrect;
    }

    /** Per route, in the order of {@link #of(List, Collection)}. */
    public List<RouteStats> routes() {
        return routes;
    }

    /** The mean F1 of the routes with support; empty when none has. */
    public OptionalDouble macroF1() {
        return routes.stream().filter(r -> r.support() > 0).mapToDouble(RouteStats::f1).average();
    }

    /** Every confused pair, most frequent first, then by expected and got route (none first). */
    public List<Confusion> confusions() {
        return confusions;
    }

    /** The {@code limit} most confused pairs. */
    public List<Confusion> confusions(int limit) {
        return confusions.subList(0, Math.min(limit, confusions.size()));
    }

    /** The number of decisions the calibration error is over: those with a route and a confidence. */
    public int calibrated() {
        return calibrated;
    }

    /** The expected calibration error; empty when no decision returned a route with a confidence. */
    public OptionalDouble expectedCalibrationError() {
        return ece == null ? OptionalDouble.empty() : OptionalDouble.of(ece);
    }

    /** The non-empty confidence bins, lowest first. */
    public List<Bin> bins() {
        return bins;
    }
}
