package dev.srouter.bench;

import dev.srouter.core.Aggregation;
import dev.srouter.core.LabelledData;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.Router;
import dev.srouter.core.RoutesFile;
import dev.srouter.encoder.CachingEncoder;
import dev.srouter.encoder.EmbeddingCache;
import dev.srouter.encoder.Encoder;
import dev.srouter.encoder.Encoders;
import dev.srouter.fit.FittedDecision;
import dev.srouter.fit.Fitter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Does {@code fit} hold up on route sets unlike CLINC150's 150 routes of 50 utterances? For
 * bench/fit-subsets.sh (figures in docs/benchmarks.md, "Small route sets"). Each run draws K of
 * CLINC150's intents as routes with M of their train utterances each, and 20 other intents whose
 * queries count as out of scope with oos_val's; it fits (for the balanced objective, and for
 * {@code --min-oos-recall 0.9}) on one half of {@code clinc150-val.jsonl}
 * (its odd lines) and judges on the other, then the other way round. Nothing comes from test.
 *
 * <p>Usage: {@code ROUTES VAL_JSONL CACHE_DIR ENCODER KNN_THRESHOLD SEEDS K:M...}
 */
public final class FitSubsetBench {
    private static final int OTHERS = 20;

    private FitSubsetBench() {}

    private record Labelled(String route, float[] vector) {}

    public static void main(String[] args) {
        RouteSet all = RoutesFile.read(Path.of(args[0]));
        Path val = Path.of(args[1]);
        Encoder base = Encoders.create(args[3], null, null, System.getenv());
        double knnThreshold = Double.parseDouble(args[4]);
        int seeds = Integer.parseInt(args[5]);
        try (Encoder encoder = new CachingEncoder(base, EmbeddingCache.open(Path.of(args[2]), base.cacheKey(), System.err::println))) {
            List<LabelledData.Example> examples = LabelledData.read(val, LabelledData.Format.jsonl);
            List<float[]> vectors = encoder.encode(examples.stream().map(LabelledData.Example::text).toList(), Encoder.Input.QUERY);
            List<List<Labelled>> halves = List.of(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < examples.size(); i++) {
                halves.get(i % 2).add(new Labelled(examples.get(i).route(), vectors.get(i)));
            }
            System.out.println("encoder " + base.name() + "; kNN default threshold " + knnThreshold + "; " + seeds + " draws x 2 directions each;"
                    + " in-scope accuracy / out-of-scope recall on the judging half");
            for (int a = 6; a < args.length; a++) {
                String[] km = args[a].split(":");
                int perRoute = km.length > 2 ? Integer.parseInt(km[2]) : Integer.MAX_VALUE;
                int outOfScope = km.length > 3 ? Integer.parseInt(km[3]) : Integer.MAX_VALUE;
                run(all, encoder, halves, Integer.parseInt(km[0]), Integer.parseInt(km[1]), perRoute, outOfScope, seeds, knnThreshold);
            }
        }
    }

    private static void run(RouteSet all, Encoder encoder, List<List<Labelled>> halves, int k, int m, int perRoute, int outOfScope, int seeds,
            double knnThreshold) {
        // fitted, fitted --min-oos-recall 0.9, kNN at the default threshold, kNN at fit's global threshold: {accuracy, recall}
        // each; kNN closed-set accuracy
        double[] sum = new double[9];
        int runs = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            Random random = new Random(seed);
            List<Route> shuffled = new ArrayList<>(all.routes());
            Collections.shuffle(shuffled, random);
            List<Route> chosen = new ArrayList<>();
            for (Route r : shuffled.subList(0, k)) {
                List<String> utterances = new ArrayList<>(r.utterances());
                Collections.shuffle(utterances, random);
                chosen.add(Route.of(r.name(), utterances.subList(0, m)));
            }
            Set<String> others = new HashSet<>();
            shuffled.subList(k, k + OTHERS).forEach(r -> others.add(r.name()));
            RouteSet routes = RouteSet.of(chosen);
            FitBenchSupport.Embedded embedded = FitBenchSupport.Embedded.of(routes, encoder);
            Map<String, List<float[]>> byRoute = embedded.byRoute();
            Set<String> names = new HashSet<>(routes.routeNames());
            for (int direction = 0; direction < 2; direction++) {
                List<Fitter.Query> fit = fewer(queries(halves.get(direction), names, others, embedded), perRoute, outOfScope, random);
                List<Fitter.Query> judge = queries(halves.get(1 - direction), names, others, embedded);
                Fitter.Result result = Fitter.fit(routes, byRoute, fit, Aggregation.SUM, Fitter.Thresholds.global, knnThreshold, encoder.name(),
                        List.of());
                FittedDecision fitted = new FittedDecision(result.model());
                double[] f = FitBenchSupport.figures(judge, q -> fitted.decide("", q.vector(), q.hits(), 1, Set.of()));
                FittedDecision at90 = new FittedDecision(Fitter.fit(routes, byRoute, fit, Aggregation.SUM, Fitter.Thresholds.global,
                        new Fitter.Objective(0.9), knnThreshold, encoder.name(), List.of()).model());
                double[] r = FitBenchSupport.figures(judge, q -> at90.decide("", q.vector(), q.hits(), 1, Set.of()));
                Router atDefault = new Router(Map.of(), knnThreshold, Aggregation.SUM);
                double[] d = FitBenchSupport.figures(judge, q -> atDefault.decide("", q.hits(), 1));
                Router atFit = new Router(Map.of(), result.globalThreshold(), Aggregation.SUM);
                double[] g = FitBenchSupport.figures(judge, q -> atFit.decide("", q.hits(), 1));
                Router closed = new Router(Map.of(), -1, Aggregation.SUM);
                double[] c = FitBenchSupport.figures(judge, q -> closed.decide("", q.hits(), 1));
                double[] row = {f[0], f[1], r[0], r[1], d[0], d[1], g[0], g[1], c[0]};
                for (int i = 0; i < row.length; i++) {
                    sum[i] += row[i];
                }
                runs++;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= runs;
        }
        System.out.printf(Locale.ROOT, "%3d routes x %2d utterances%s: fitted %.3f / %.3f | fitted --min-oos-recall 0.9 %.3f / %.3f | kNN at %.2f"
                + " %.3f / %.3f | kNN at fit's threshold %.3f / %.3f | kNN closed-set accuracy %.3f%n", k, m,
                perRoute == Integer.MAX_VALUE ? "" : ", validation " + perRoute + " per route + " + outOfScope + " none", sum[0], sum[1], sum[2], sum[3],
                knnThreshold, sum[4], sum[5], sum[6], sum[7], sum[8]);
    }

    /** At most {@code perRoute} queries of each route and {@code outOfScope} labelled none, drawn at random. */
    private static List<Fitter.Query> fewer(List<Fitter.Query> queries, int perRoute, int outOfScope, Random random) {
        if (perRoute == Integer.MAX_VALUE && outOfScope == Integer.MAX_VALUE) {
            return queries;
        }
        List<Fitter.Query> shuffled = new ArrayList<>(queries);
        Collections.shuffle(shuffled, random);
        Map<String, Integer> taken = new java.util.HashMap<>();
        List<Fitter.Query> out = new ArrayList<>();
        for (Fitter.Query q : shuffled) {
            int n = taken.merge(String.valueOf(q.route()), 1, Integer::sum);
            if (n <= (q.route() == null ? outOfScope : perRoute)) {
                out.add(q);
            }
        }
        return out;
    }

    /** The queries of the drawn routes with their labels, and those of the other intents and oos_val as none, with their hits. */
    private static List<Fitter.Query> queries(List<Labelled> half, Set<String> names, Set<String> others, FitBenchSupport.Embedded embedded) {
        List<Labelled> kept = new ArrayList<>();
        for (Labelled q : half) {
            if (q.route() == null || others.contains(q.route())) {
                kept.add(new Labelled(null, q.vector()));
            } else if (names.contains(q.route())) {
                kept.add(q);
            }
        }
        return embedded.queries(kept.stream().map(Labelled::route).toList(), kept.stream().map(Labelled::vector).toList(), 5);
    }
}
