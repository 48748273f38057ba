package dev.srouter.core;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A route attribute whose value differs between the two sides of a {@link Diff}.
 *
 * @param local the value on the diff's local side (null: not set)
 * @param remote the value on the diff's remote side (null: not set)
 */
public record AttributeChange(Attribute attribute, Object local, Object remote) {

    /**
     * The attributes a route carries beside its utterances, in routes-file key order. Each knows how to read itself
     * from a {@link Route} and whether a route "sets" it, which is what the {@code merge} strategy asks.
     */
    public enum Attribute {
        DESCRIPTION("description", Route::description),
        SCORE_THRESHOLD("score_threshold", Route::scoreThreshold),
        METADATA("metadata", Route::metadata),
        FUNCTION_SCHEMAS("function_schemas", Route::functionSchemas);

        private final String key;
        private final Function<Route, Object> getter;

        Attribute(String key, Function<Route, Object> getter) {
            this.key = key;
            this.getter = getter;
        }

        /** The key in the routes file, e.g. {@code score_threshold}. */
        public String key() {
            return key;
        }

        public Object valueIn(Route route) {
            return getter.apply(route);
        }

        /**
         * Whether the route gives this attribute a value: non-null description and threshold, non-empty metadata and
         * function schemas. An empty map or list is what a route without the key reads as, so it counts as unset.
         */
        public boolean isSetIn(Route route) {
            Object v = valueIn(route);
            if (v instanceof Map<?, ?> m) {
                return !m.isEmpty();
            }
            if (v instanceof List<?> l) {
                return !l.isEmpty();
            }
            return v != null;
        }

        /** Whether two routes hold the same value for this attribute ({@link Values#equal}). */
        public boolean sameIn(Route a, Route b) {
            return Values.equal(valueIn(a), valueIn(b));
        }
    }
}
