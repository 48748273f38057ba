package dev.srouter.bench;

import dev.srouter.core.Candidate;
import dev.srouter.core.Hit;
import dev.srouter.core.RouteDecision;
import dev.srouter.core.RouteSet;
import dev.srouter.core.Utterance;
import dev.srouter.encoder.Encoder;
import dev.srouter.fit.Fitter;
import dev.srouter.index.local.LocalIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** What the in-process fit benchmarks ({@link FitSubsetBench}, {@link FitValBench}) share. */
final class FitBenchSupport {
    private FitBenchSupport() {}

    /** A routes file's utterances embedded as {@code fit} embeds them: each route's vectors, and an index over all of them. */
    record Embedded(Map<String, List<float[]>> byRoute, LocalIndex index) {
        static Embedded of(RouteSet routes, Encoder encoder) {
            List<Utterance> utterances = routes.utterances();
            List<float[]> vs = encoder.encode(utterances.stream().map(Utterance::text).toList(), Encoder.Input.DOCUMENT);
            Map<String, List<float[]>> byRoute = new LinkedHashMap<>();
            for (int i = 0; i < vs.size(); i++) {
                byRoute.computeIfAbsent(utterances.get(i).route(), x -> new ArrayList<>()).add(vs.get(i));
            }
            return new Embedded(byRoute, new LocalIndex(vs.get(0).length, utterances.stream().map(Utterance::route).toList(),
                    utterances.stream().map(Utterance::text).toList(), vs));
        }

        /** Labelled query vectors (route null: none) with their top-k hits among the utterances. */
        List<Fitter.Query> queries(List<String> routes, List<float[]> vectors, int k) {
            List<List<Hit>> hits = index.queryBatch(vectors, k, Set.of());
            List<Fitter.Query> out = new ArrayList<>();
            for (int i = 0; i < vectors.size(); i++) {
                out.add(new Fitter.Query(routes.get(i), vectors.get(i), hits.get(i)));
            }
            return out;
        }
    }

    /** The route a decision answers, or null for none. */
    static String answer(RouteDecision d) {
        return d.best().map(Candidate::route).orElse(null);
    }

    /** {in-scope accuracy, out-of-scope recall} of a decision on labelled queries. */
    static double[] figures(List<Fitter.Query> queries, Function<Fitter.Query, RouteDecision> decide) {
        int inScope = 0;
        int right = 0;
        int outOfScope = 0;
        int rejected = 0;
        for (Fitter.Query q : queries) {
            String route = answer(decide.apply(q));
            if (q.route() == null) {
                outOfScope++;
                rejected += route == null ? 1 : 0;
            } else {
                inScope++;
                right += q.route().equals(route) ? 1 : 0;
            }
        }
        return new double[] {(double) right / inScope, (double) rejected / outOfScope};
    }
}
