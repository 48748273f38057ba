package dev.srouter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.Aggregation;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.Router;
import dev.srouter.core.RoutesFile;
import dev.srouter.encoder.CachingEncoder;
import dev.srouter.encoder.EmbeddingCache;
import dev.srouter.encoder.Encoder;
import dev.srouter.encoder.Encoders;
import dev.srouter.engine.RoutingEngine;
import dev.srouter.index.local.LocalIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Helpers for bench/route-bench.sh (which prints the figures in docs/benchmarks.md).
 *
 * <ul>
 *   <li>{@code prepare DATA OUT_DIR}: writes CLINC150's train split as a routes file
 *       ({@code clinc150-routes.yaml}, one route per intent) and its test + oos_test queries,
 *       one per line ({@code clinc150-test.txt}), and the labelled splits for fit and eval:
 *       {@code clinc150-val.jsonl} (val + oos_val) and {@code clinc150-test.jsonl} (test + oos_test), and {@code clinc150-test-labels.txt}, the labels of
 *       clinc150-test.txt line by line.
 *   <li>{@code latency ROUTES QUERIES CACHE_DIR [N]}: routes N queries one at a time, as the REPL
 *       does, after a warm-up, and prints per-utterance latency percentiles. Queries are not in
 *       the cache, so each one is really encoded.
 * </ul>
 */
public final class RouteBench {
    private RouteBench() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "prepare" -> prepare(Path.of(args[1]), Path.of(args[2]));
            case "latency" -> latency(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 1000);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    static void prepare(Path data, Path outDir) throws Exception {
        JsonNode root = new ObjectMapper().readTree(Files.readString(data));
        List<Route> routes = Clinc150Data.trainRoutes(root).routes();
        Files.createDirectories(outDir);
        RoutesFile.write(outDir.resolve("clinc150-routes.yaml"), new RouteSet("local", "all-MiniLM-L6-v2-q", routes));
        List<String> queries = Clinc150Data.queries(root, "test", "oos_test").stream().map(q -> q.text().replace('\n', ' ')).toList();
        Files.write(outDir.resolve("clinc150-test.txt"), queries);
        // Labelled data for fit and eval: val + oos_val to fit on, test + oos_test to report on ("route": null is out of scope).
        ObjectMapper mapper = new ObjectMapper();
        for (String[] split : new String[][] {{"val", "oos_val"}, {"test", "oos_test"}}) {
            List<String> lines = new java.util.ArrayList<>();
            for (Clinc150Data.Query q : Clinc150Data.queries(root, split[0], split[1])) {
                lines.add(mapper.createObjectNode().put("text", q.text()).put("route", q.intent().equals("oos") ? null : q.intent()).toString());
            }
            Files.write(outDir.resolve("clinc150-" + split[0] + ".jsonl"), lines);
        }
        // The test labels line by line beside clinc150-test.txt ('-' for none), to score what route - prints.
        Files.write(outDir.resolve("clinc150-test-labels.txt"),
                Clinc150Data.queries(root, "test", "oos_test").stream().map(q -> q.intent().equals("oos") ? "-" : q.intent()).toList());
        System.out.printf(Locale.ROOT, "wrote %d routes (%d utterances) and %d queries to %s%n", routes.size(),
                routes.stream().mapToInt(r -> r.utterances().size()).sum(), queries.size(), outDir);
    }

    static void latency(Path routesFile, Path queriesFile, Path cacheDir, int n) throws Exception {
        RouteSet routes = RoutesFile.read(routesFile);
        List<String> queries = Files.readAllLines(queriesFile);
        try (Encoder base = Encoders.create("local", null, null, Map.of());
                CachingEncoder encoder = new CachingEncoder(base, EmbeddingCache.open(cacheDir, base.cacheKey(), System.err::println))) {
            LocalIndex index = LocalIndex.build(routes, encoder);
            RoutingEngine engine = new RoutingEngine(encoder.readOnly(), index, new Router(routes.thresholds(), base.defaultThreshold(),
                    Aggregation.MEAN), 5, Set.of(), 1);
            int warmup = Math.min(200, queries.size() / 4);
            for (int i = 0; i < warmup; i++) {
                engine.route(queries.get(i));
            }
            int count = Math.min(n, queries.size() - warmup);
            long[] nanos = new long[count];
            for (int i = 0; i < count; i++) {
                String q = queries.get(warmup + i);
                long t0 = System.nanoTime();
                engine.route(q);
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "latency over %d single-utterance calls (%d routes, %d utterances): p50 %.2f ms, p90 %.2f ms, "
                    + "p99 %.2f ms, max %.2f ms%n", count, routes.routes().size(), index.size(), pct(nanos, 50), pct(nanos, 90),
                    pct(nanos, 99), nanos[count - 1] / 1e6);
        }
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
