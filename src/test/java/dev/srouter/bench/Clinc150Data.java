package dev.srouter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CLINC150 ("small") in the shapes the benchmarks need, with the protocol of its README: one route
 * per intent with the train utterances; queries of a split and its out-of-scope split. The
 * quality figures themselves come from the CLI (bench/quality-bench.sh: srouter fit, eval and
 * route -), so that they measure the decision users get.
 */
final class Clinc150Data {
    private Clinc150Data() {}

    record Query(String text, String intent) {}

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

    /** The queries of {@code inScope} then {@code outOfScope}; out-of-scope ones carry the intent {@code oos}. */
    static List<Query> queries(JsonNode root, String inScope, String outOfScope) {
        List<Query> out = new ArrayList<>();
        for (String split : List.of(inScope, outOfScope)) {
            for (JsonNode e : root.get(split)) {
                out.add(new Query(e.get(0).asText(), e.get(1).asText()));
            }
        }
        return out;
    }
}
