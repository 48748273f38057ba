package dev.srouter.bench;

import dev.srouter.core.Aggregation;
import dev.srouter.core.Candidate;
import dev.srouter.core.LabelledData;
import dev.srouter.core.RouteDecision;
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
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The in-process figures of docs/benchmarks.md "Routing quality (CLINC150)" that the CLI does not print, for
 * bench/fit-val.sh. Only val is used (CLINC150's train split as routes):
 *
 * <ol>
 *   <li>{@code Fitter.fit} on all of val, timed in-process;
 *   <li>fit on one half of val (its odd lines), judged on the other, and the other way round: the figures, and how
 *       often the decision (the first route that passes, by probability) answers otherwise than the head's top route
 *       alone would;
 *   <li>the cost of one decision, given a query's vector and hits: the fitted decision against the kNN one;
 *   <li>the kNN decision at a fixed out-of-scope recall of 0.90: the lowest global threshold reaching it, for each
 *       aggregation and top-k.
 * </ol>
 *
 * <p>Usage: {@code ROUTES VAL_JSONL CACHE_DIR ENCODER}
 */
public final class FitValBench {
    private FitValBench() {}

    public static void main(String[] args) {
        RouteSet routes = RoutesFile.read(Path.of(args[0]));
        Encoder base = Encoders.create(args[3], null, null, System.getenv());
        try (Encoder encoder = new CachingEncoder(base, EmbeddingCache.open(Path.of(args[2]), base.cacheKey(), System.err::println))) {
            FitBenchSupport.Embedded embedded = FitBenchSupport.Embedded.of(routes, encoder);
            Map<String, List<float[]>> byRoute = embedded.byRoute();
            List<LabelledData.Example> examples = LabelledData.read(Path.of(args[1]), LabelledData.Format.jsonl);
            List<String> labels = examples.stream().map(LabelledData.Example::route).toList();
            List<float[]> qs = encoder.encode(examples.stream().map(LabelledData.Example::text).toList(), Encoder.Input.QUERY);
            System.out.println("encoder " + base.name() + "; " + examples.size() + " val queries");

            List<Fitter.Query> all = embedded.queries(labels, qs, 5);
            Fitter.Result full = null;
            double[] seconds = new double[3];
            for (int run = 0; run < seconds.length; run++) {
                long t0 = System.nanoTime();
                full = Fitter.fit(routes, byRoute, all, Aggregation.SUM, Fitter.Thresholds.auto, base.defaultThreshold(), base.name(),
                        List.of());
                seconds[run] = (System.nanoTime() - t0) / 1e9;
            }
            System.out.printf(Locale.ROOT, "fit on all of val, in-process: %.1f s, %.1f s, %.1f s%n", seconds[0], seconds[1], seconds[2]);

            List<List<Fitter.Query>> halves = List.of(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < all.size(); i++) {
                halves.get(i % 2).add(all.get(i));
            }
            for (int direction = 0; direction < 2; direction++) {
                halves(routes, byRoute, halves.get(direction), halves.get(1 - direction), base.defaultThreshold(), base.name(),
                        direction == 0 ? "odd lines -> even lines" : "even lines -> odd lines");
            }

            cost(new FittedDecision(full.model()), new Router(Map.of(), full.globalThreshold(), Aggregation.SUM), all);

            System.out.println("kNN at out-of-scope recall >= 0.90 on val (lowest such global threshold): in-scope accuracy");
            for (int k : new int[] {3, 5, 10}) {
                List<Fitter.Query> atK = embedded.queries(labels, qs, k);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  top-k %2d:", k));
                for (Aggregation a : Aggregation.values()) {
                    double[] at = atRecall(atK, a, 0.90);
                    line.append(String.format(Locale.ROOT, "  %s %.4f (threshold %.2f, recall %.3f)", a.name().toLowerCase(Locale.ROOT), at[1],
                            at[0], at[2]));
                }
                System.out.println(line);
            }
        }
    }

    private static void halves(RouteSet routes, Map<String, List<float[]>> byRoute, List<Fitter.Query> fit, List<Fitter.Query> judge,
            double threshold, String encoder, String label) {
        FittedDecision decision = new FittedDecision(
                Fitter.fit(routes, byRoute, fit, Aggregation.SUM, Fitter.Thresholds.auto, threshold, encoder, List.of()).model());
        Map<Fitter.Query, RouteDecision> decided = new IdentityHashMap<>();
        judge.forEach(q -> decided.put(q, decision.decide("", q.vector(), q.hits(), 1, Set.of())));
        double[] f = FitBenchSupport.figures(judge, decided::get);
        int differ = 0;
        int differRight = 0;
        int differNone = 0;
        for (Fitter.Query q : judge) {
            RouteDecision d = decided.get(q);
            String answer = FitBenchSupport.answer(d);
            Candidate top = d.candidates().get(0);
            if (!Objects.equals(answer, top.passed() ? top.route() : null)) {
                differ++;
                differNone += q.route() == null ? 1 : 0;
                differRight += q.route() != null && q.route().equals(answer) ? 1 : 0;
            }
        }
        System.out.printf(Locale.ROOT, "fit on val's %s: %.4f / %.3f; answered otherwise than the top route alone: %d of %d (labelled none %d, right %d)%n",
                label, f[0], f[1], differ, judge.size(), differNone, differRight);
    }

    /** Microseconds per decision, median of 9 timed passes over the queries, each decision alternating with the other's pass. */
    private static void cost(FittedDecision fitted, Router knn, List<Fitter.Query> queries) {
        double[][] micros = new double[2][9];
        long sink = 0;
        for (int pass = -3; pass < 9; pass++) {
            for (int which = 0; which < 2; which++) {
                long t0 = System.nanoTime();
                for (Fitter.Query q : queries) {
                    RouteDecision d = which == 0 ? fitted.decide("", q.vector(), q.hits(), 1, Set.of()) : knn.decide("", q.hits(), 1);
                    sink += d.routes().size();
                }
                if (pass >= 0) {
                    micros[which][pass] = (System.nanoTime() - t0) / 1e3 / queries.size();
                }
            }
        }
        Arrays.sort(micros[0]);
        Arrays.sort(micros[1]);
        System.out.printf(Locale.ROOT, "one decision, vector and hits given: fitted %.1f us, kNN %.1f us (medians of 9 passes over %d queries; %d)%n",
                micros[0][4], micros[1][4], queries.size(), sink % 2);
    }

    /** {threshold, in-scope accuracy, out-of-scope recall} at the lowest threshold of 0.01 steps whose recall reaches {@code recall}. */
    private static double[] atRecall(List<Fitter.Query> queries, Aggregation aggregation, double recall) {
        for (int t = 0; t <= 100; t++) {
            Router router = new Router(Map.of(), t / 100.0, aggregation);
            double[] f = FitBenchSupport.figures(queries, q -> router.decide("", q.hits(), 1));
            if (f[1] >= recall) {
                return new double[] {t / 100.0, f[0], f[1]};
            }
        }
        return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
}
