package dev.srouter.core;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a remote index records about itself beyond its records, in the config entry
 * {@value #FIELD} (semantic-router ignores fields it does not know): the encoder and dimension
 * its vectors were made with, the route-level attributes it has no place for (description,
 * score_threshold, function schemas), and content hashes. Written last by a sync, so that a
 * matching content hash means the records are complete; {@code diff}, {@code status} and
 * {@code sync} then answer from this one config read, without listing records, as long as the
 * index holds {@code records} records (the number of utterances written; -1 in a manifest from
 * before it was recorded, which then never takes the short cut).
 */
public record Manifest(int version, String encoder, int dimension, String contentHash, Map<String, RouteAttributes> routes,
        String writtenBy, String writtenAt, long records) {
    public static final String FIELD = "srouter_manifest";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Route-level attributes and the route's own content hash. */
    public record RouteAttributes(String description, Double scoreThreshold, List<Map<String, Object>> functionSchemas, String hash) {}

    public Manifest {
        routes = routes == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(routes));
    }

    public static Manifest of(RouteSet content, String encoder, int dimension, String writtenBy, String writtenAt) {
        Map<String, String> hashes = ContentHash.perRoute(content);
        Map<String, RouteAttributes> routes = new LinkedHashMap<>();
        for (Route r : content.routes()) {
            routes.put(r.name(), new RouteAttributes(r.description(), r.scoreThreshold(), r.functionSchemas(), hashes.get(r.name())));
        }
        return new Manifest(VERSION, encoder, dimension, ContentHash.of(content), routes, writtenBy, writtenAt, content.utteranceCount());
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", version).put("encoder", encoder).put("dimension", dimension).put("content_hash", contentHash);
        ObjectNode rs = root.putObject("routes");
        routes.forEach((name, a) -> {
            ObjectNode n = rs.putObject(name);
            n.put("description", a.description());
            if (a.scoreThreshold() == null) {
                n.putNull("score_threshold");
            } else {
                n.put("score_threshold", a.scoreThreshold());
            }
            n.set("function_schemas", JSON.valueToTree(a.functionSchemas()));
            n.put("hash", a.hash());
        });
        root.put("written_by", writtenBy).put("written_at", writtenAt).put("records", records);
        return root.toString();
    }

    /** The manifest in a config value; empty when absent, unreadable or of a newer version we do not understand. */
    public static Optional<Manifest> parse(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(json);
            if (root.path("version").asInt(0) != VERSION) {
                return Optional.empty();
            }
            Map<String, RouteAttributes> routes = new LinkedHashMap<>();
            root.path("routes").fields().forEachRemaining(e -> {
                JsonNode n = e.getValue();
                routes.put(e.getKey(), new RouteAttributes(n.path("description").isNull() ? null : n.path("description").asText(null),
                        n.path("score_threshold").isNumber() ? n.path("score_threshold").asDouble() : null,
                        JSON.convertValue(n.path("function_schemas").isArray() ? n.path("function_schemas") : JSON.createArrayNode(),
                                new TypeReference<List<Map<String, Object>>>() {}),
                        n.path("hash").asText(null)));
            });
            return Optional.of(new Manifest(VERSION, root.path("encoder").asText(null), root.path("dimension").asInt(-1),
                    root.path("content_hash").asText(null), routes, root.path("written_by").asText(null), root.path("written_at").asText(null),
                    root.path("records").isIntegralNumber() ? root.path("records").asLong() : -1));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
