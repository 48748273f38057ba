package dev.srouter.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The content of a routes file: optional encoder hints and the routes in file order.
 * Route names are unique (the reader enforces it).
 */
public record RouteSet(String encoderType, String encoderName, List<Route> routes) {

    public RouteSet {
        routes = List.copyOf(routes);
    }

    public static RouteSet of(List<Route> routes) {
        return new RouteSet(null, null, routes);
    }

    public Optional<Route> route(String name) {
        return routes.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    public List<String> routeNames() {
        return routes.stream().map(Route::name).toList();
    }

    /** Every utterance, route by route in file order: the order the embedders and the lint take vectors in. */
    public List<Utterance> utterances() {
        List<Utterance> out = new java.util.ArrayList<>(utteranceCount());
        for (Route r : routes) {
            for (String u : r.utterances()) {
                out.add(new Utterance(r.name(), u));
            }
        }
        return out;
    }

    public int utteranceCount() {
        return routes.stream().mapToInt(r -> r.utterances().size()).sum();
    }

    /** Route name to its own threshold, for routes that set one. */
    public Map<String, Double> thresholds() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Route r : routes) {
            if (r.scoreThreshold() != null) {
                out.put(r.name(), r.scoreThreshold());
            }
        }
        return out;
    }
}
