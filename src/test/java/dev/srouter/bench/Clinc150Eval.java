package dev.srouter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.Aggregation;
import dev.srouter.core.Route;
import dev.srouter.core.RouteDecision;
import dev.srouter.core.RouteSet;
import dev.srouter.core.Router;
import dev.srouter.encoder.Encoder;
import dev.srouter.encoder.Encoders;
import dev.srouter.engine.RoutingEngine;
import dev.srouter.index.local.LocalIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Routing quality on CLINC150 ("small"), with the protocol of its README: one route per intent
 * with the train utterances, thresholds tuned on val + oos_val only, figures reported on
 * test + oos_test. Prints a threshold sweep on val and the figures on test at the chosen threshold.
 *
 * <pre>
 * mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.srouter.bench.Clinc150Eval \
 *     -Dexec.args="../shared/data/clinc150/data_small.json local"
 * </pre>
 *
 * The threshold is chosen to maximise the mean of in-scope accuracy and out-of-scope recall on
 * val (a balanced objective: val has 30 in-scope queries for each out-of-scope one).
 */
public final class Clinc150Eval {
    private Clinc150Eval() {}

    record Query(String text, String intent) {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data/clinc150/data_small.json");
        String encoderSpec = args.length > 1 ? args[1] : "local";
        Aggregation aggregation = Aggregation.parse(args.length > 2 ? args[2] : "mean");
        int topK = args.length > 3 ? Integer.parseInt(args[3]) : 5;

        JsonNode root = new ObjectMapper().readTree(Files.readString(data));
        RouteSet routeSet = trainRoutes(root);
        List<Route> routes = routeSet.routes();

        try (Encoder encoder = Encoders.create(encoderSpec, null, null, System.getenv())) {
            long t0 = System.nanoTime();
            LocalIndex index = LocalIndex.build(routeSet, encoder);
            System.out.printf(Locale.ROOT, "encoder %s: %d routes, %d utterances indexed in %.1f s%n", encoder.name(), routes.size(),
                    index.size(), (System.nanoTime() - t0) / 1e9);
            // Threshold 0 so that every decision carries its best candidate; thresholds are applied below.
            RoutingEngine engine = new RoutingEngine(encoder, index, new Router(Map.of(), 0.0, aggregation), topK, Set.of(), 1);

            List<Query> val = queries(root, "val", "oos_val");
            List<Query> test = queries(root, "test", "oos_test");
            List<RouteDecision> valDecisions = engine.route(val.stream().map(Query::text).toList());
            double best = 0;
            double bestObjective = -1;
            System.out.println("threshold  val_in_scope_acc  val_oos_recall  balanced");
            for (int i = 0; i <= 100; i++) {
                double th = i / 100.0;
                double[] f = figures(val, valDecisions, th);
                double objective = (f[0] + f[1]) / 2;
                if (i % 5 == 0) {
                    System.out.printf(Locale.ROOT, "%9.2f  %16.4f  %14.4f  %8.4f%n", th, f[0], f[1], objective);
                }
                if (objective > bestObjective) {
                    bestObjective = objective;
                    best = th;
                }
            }
            long t1 = System.nanoTime();
            List<RouteDecision> testDecisions = engine.route(test.stream().map(Query::text).toList());
            double seconds = (System.nanoTime() - t1) / 1e9;
            double[] f = figures(test, testDecisions, best);
            double[] f0 = figures(test, testDecisions, 0.0);
            System.out.printf(Locale.ROOT, "chosen threshold (val, balanced): %.2f%n", best);
            System.out.printf(Locale.ROOT, "test: in-scope accuracy %.4f, out-of-scope recall %.4f (%d + %d queries, %s, top_k %d)%n",
                    f[0], f[1], f[2] > 0 ? (int) f[2] : 0, (int) f[3], aggregation, topK);
            System.out.printf(Locale.ROOT, "test without threshold: in-scope accuracy %.4f%n", f0[0]);
            System.out.printf(Locale.ROOT, "test routing wall time %.1f s (%.0f queries/s, encoder + search)%n", seconds,
                    test.size() / seconds);
        }
    }

    /** One route per in-scope intent, with the train split's utterances (the protocol's routes). */
    static RouteSet trainRoutes(JsonNode root) {
        Map<String, List<String>> byIntent = new LinkedHashMap<>();
        for (JsonNode e : root.get("train")) {
            byIntent.computeIfAbsent(e.get(1).asText(), k -> new ArrayList<>()).add(e.get(0).asText());
        }
        List<Route> routes = new ArrayList<>();
        byIntent.forEach((intent, utts) -> routes.add(Route.of(intent, utts.stream().distinct().toList())));
        return RouteSet.of(routes);
    }

    static List<Query> queries(JsonNode root, String inScope, String outOfScope) {
        List<Query> out = new ArrayList<>();
        for (String split : List.of(inScope, outOfScope)) {
            for (JsonNode e : root.get(split)) {
                out.add(new Query(e.get(0).asText(), e.get(1).asText()));
            }
        }
        return out;
    }

    /** @return {in-scope accuracy, out-of-scope recall, in-scope count, oos count} at threshold th */
    static double[] figures(List<Query> queries, List<RouteDecision> decisions, double th) {
        int inScope = 0;
        int inScopeRight = 0;
        int oos = 0;
        int oosRejected = 0;
        for (int i = 0; i < queries.size(); i++) {
            RouteDecision d = decisions.get(i);
            String route = d.candidates().isEmpty() || d.candidates().get(0).bestSimilarity() < th ? null : d.candidates().get(0).route();
            if (queries.get(i).intent().equals("oos")) {
                oos++;
                if (route == null) {
                    oosRejected++;
                }
            } else {
                inScope++;
                if (queries.get(i).intent().equals(route)) {
                    inScopeRight++;
                }
            }
        }
        return new double[] {(double) inScopeRight / inScope, (double) oosRejected / oos, inScope, oos};
    }
}
