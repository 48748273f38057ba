package dev.srouter.core;

import java.util.List;
import java.util.Optional;

/**
 * What the router decided for one text.
 *
 * @param routes the passing routes, best first, at most the requested limit (empty: no route)
 * @param candidates every route among the top-k hits, best first, passing or not
 * @param nearest the top-k hits, nearest first
 */
public record RouteDecision(String text, List<Candidate> routes, List<Candidate> candidates, List<Hit> nearest) {

    public RouteDecision {
        routes = List.copyOf(routes);
        candidates = List.copyOf(candidates);
        nearest = List.copyOf(nearest);
    }

    public Optional<Candidate> best() {
        return routes.isEmpty() ? Optional.empty() : Optional.of(routes.get(0));
    }
}
