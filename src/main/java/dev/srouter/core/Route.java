package dev.srouter.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A route: a name plus example utterances, and the optional attributes semantic-router keeps
 * beside them. Immutable; collections are copied on construction.
 *
 * @param scoreThreshold the route's own threshold in [0, 1], or null to use the global one
 * @param metadata any JSON-like map (values: String, Number, Boolean, null, List, Map)
 * @param functionSchemas kept and synced, never executed
 */
public record Route(
        String name,
        List<String> utterances,
        String description,
        Double scoreThreshold,
        Map<String, Object> metadata,
        List<Map<String, Object>> functionSchemas) {

    public Route {
        Objects.requireNonNull(name, "name");
        utterances = List.copyOf(utterances);
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
        functionSchemas = functionSchemas == null ? List.of() : List.copyOf(functionSchemas);
    }

    public static Route of(String name, List<String> utterances) {
        return new Route(name, utterances, null, null, Map.of(), List.of());
    }

    public Route withUtterances(List<String> newUtterances) {
        return new Route(name, newUtterances, description, scoreThreshold, metadata, functionSchemas);
    }

    /** This route with {@code threshold} as its own score_threshold (null: the global one). */
    public Route withScoreThreshold(Double threshold) {
        return new Route(name, utterances, description, threshold, metadata, functionSchemas);
    }
}
