package dev.srouter.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Order-insensitive content hashes of routes: two route sets that differ only in the order of
 * routes, utterances or map keys hash the same, and any real change (an utterance, an
 * attribute) changes the hash. semantic-router hashes an order-sensitive serialization, so a
 * reordered file looks changed to it; this hash is what the manifest's fast path compares.
 */
public final class ContentHash {
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ContentHash() {}

    /** The hash of every route, as one value. */
    public static String of(RouteSet routes) {
        Map<String, String> perRoute = new TreeMap<>(perRoute(routes));
        StringBuilder sb = new StringBuilder();
        perRoute.forEach((name, hash) -> sb.append(name.length()).append(':').append(name).append('=').append(hash).append('\n'));
        return sha256(sb.toString());
    }

    /** Route name to the hash of that route alone. */
    public static Map<String, String> perRoute(RouteSet routes) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Route r : routes.routes()) {
            out.put(r.name(), of(r));
        }
        return out;
    }

    public static String of(Route route) {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("name", route.name());
        List<String> utterances = new ArrayList<>(route.utterances());
        utterances.sort(null);
        canonical.put("utterances", utterances);
        canonical.put("description", route.description());
        canonical.put("score_threshold", route.scoreThreshold() == null ? null : BigDecimal.valueOf(route.scoreThreshold()).stripTrailingZeros());
        canonical.put("metadata", normalize(route.metadata()));
        canonical.put("function_schemas", normalize(route.functionSchemas()));
        try {
            return sha256(CANONICAL.writeValueAsString(canonical));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("route is not serializable: " + route.name(), e);
        }
    }

    /** Numbers as BigDecimal without trailing zeros (0.5 and 0.50 hash alike), maps sorted by key. */
    private static Object normalize(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), normalize(v)));
            return sorted;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ContentHash::normalize).toList();
        }
        if (value instanceof Number n && !(value instanceof BigDecimal)) {
            return new BigDecimal(n.toString()).stripTrailingZeros();
        }
        return value;
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The SHA-256 of {@code bytes}, in lower-case hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
