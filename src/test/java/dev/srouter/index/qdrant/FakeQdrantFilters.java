package dev.srouter.index.qdrant;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Point ids, payload values and {@link Filter} evaluation for {@link FakeQdrantServer}, following
 * Qdrant's documented filtering semantics for payloads that are not indexed.
 *
 * <p>Supported conditions: {@code field} with {@code match} keyword, keywords (any of),
 * except_keywords, integer, integers (any of), except_integers, boolean and text (a plain,
 * case-sensitive substring match, which is what Qdrant does for a field without a full-text
 * index); {@code field} with {@code is_empty}/{@code is_null}; {@code is_empty}, {@code is_null},
 * {@code has_id}, nested {@code filter} and {@code nested} (array of objects). Everything else
 * (range, geo, values_count, datetime_range, phrase, text_any, has_vector) fails the request with
 * {@code UNIMPLEMENTED}, naming the condition.
 *
 * <p>Keys are paths: {@code a.b} walks into nested objects, {@code a[]} projects every element of
 * an array and {@code a[2]} one element; a plain key does not reach into an array (use
 * {@code []}), as in Qdrant. When the value at the end of a path is an array, a match succeeds if
 * any element matches.
 */
final class FakeQdrantFilters {
    private static final Pattern UINT = Pattern.compile("[0-9]{1,20}");
    private static final Pattern SIMPLE_UUID = Pattern.compile("[0-9a-fA-F]{32}");

    private FakeQdrantFilters() {}

    /**
     * A point id as Qdrant orders them: unsigned integers first, then UUIDs in the order of their
     * canonical (lower-case, hyphenated) text, which is the order of their 128-bit value.
     */
    record PointKey(long num, String uuid) implements Comparable<PointKey> {
        static PointKey of(PointId id) {
            switch (id.getPointIdOptionsCase()) {
                case NUM:
                    return new PointKey(id.getNum(), null);
                case UUID:
                    return new PointKey(0, canonicalUuid(id.getUuid()));
                default:
                    throw invalid("Wrong input: point id is missing (neither num nor uuid is set)");
            }
        }

        /** Parses {@code "42"} as an integer id and anything else as a UUID. */
        static PointKey parse(String id) {
            if (UINT.matcher(id).matches()) {
                return new PointKey(Long.parseUnsignedLong(id), null);
            }
            return new PointKey(0, canonicalUuid(id));
        }

        boolean isUuid() {
            return uuid != null;
        }

        PointId toProto() {
            return isUuid() ? PointId.newBuilder().setUuid(uuid).build() : PointId.newBuilder().setNum(num).build();
        }

        @Override
        public int compareTo(PointKey o) {
            if (isUuid() != o.isUuid()) {
                return isUuid() ? 1 : -1;
            }
            return isUuid() ? uuid.compareTo(o.uuid) : Long.compareUnsigned(num, o.num);
        }

        @Override
        public String toString() {
            return isUuid() ? uuid : Long.toUnsignedString(num);
        }
    }

    private static String canonicalUuid(String text) {
        String t = text.trim();
        if (t.regionMatches(true, 0, "urn:uuid:", 0, 9)) {
            t = t.substring(9);
        }
        if (SIMPLE_UUID.matcher(t).matches()) {
            t = t.substring(0, 8) + "-" + t.substring(8, 12) + "-" + t.substring(12, 16) + "-" + t.substring(16, 20)
                    + "-" + t.substring(20);
        }
        try {
            if (t.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(t).toString().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw invalid("Unable to parse UUID: " + text);
        }
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException unimplemented(String message) {
        return Status.UNIMPLEMENTED.withDescription("fake Qdrant does not support " + message).asRuntimeException();
    }

    // ---- payload values -------------------------------------------------------------------

    /** A payload value as a plain Java value: null, Boolean, Long, Double, String, List or Map. */
    static Object toJava(Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE:
            case KIND_NOT_SET:
                return null;
            case BOOL_VALUE:
                return v.getBoolValue();
            case INTEGER_VALUE:
                return v.getIntegerValue();
            case DOUBLE_VALUE:
                return v.getDoubleValue();
            case STRING_VALUE:
                return v.getStringValue();
            case LIST_VALUE:
                List<Object> list = new ArrayList<>();
                for (Value e : v.getListValue().getValuesList()) {
                    list.add(toJava(e));
                }
                return list;
            case STRUCT_VALUE:
                return toJava(v.getStructValue().getFieldsMap());
            default:
                throw new IllegalStateException("unknown value kind " + v.getKindCase());
        }
    }

    /** A payload as plain Java values, keys in their stored order. */
    static Map<String, Object> toJava(Map<String, Value> payload) {
        Map<String, Object> out = new LinkedHashMap<>();
        payload.forEach((k, v) -> out.put(k, toJava(v)));
        return out;
    }

    /**
     * A plain Java value as a payload value: null, Boolean, Integer/Long/Short/Byte (integer),
     * Float/Double (double), CharSequence, a List/array of those, or a Map with String keys.
     */
    static Value toValue(Object o) {
        if (o == null) {
            return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
        }
        if (o instanceof Value v) {
            return v;
        }
        if (o instanceof Boolean b) {
            return Value.newBuilder().setBoolValue(b).build();
        }
        if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
            return Value.newBuilder().setIntegerValue(((Number) o).longValue()).build();
        }
        if (o instanceof Float || o instanceof Double) {
            return Value.newBuilder().setDoubleValue(((Number) o).doubleValue()).build();
        }
        if (o instanceof CharSequence s) {
            return Value.newBuilder().setStringValue(s.toString()).build();
        }
        if (o instanceof Iterable<?> it) {
            ListValue.Builder list = ListValue.newBuilder();
            it.forEach(e -> list.addValues(toValue(e)));
            return Value.newBuilder().setListValue(list).build();
        }
        if (o instanceof Object[] arr) {
            return toValue(List.of(arr));
        }
        if (o instanceof Map<?, ?> m) {
            return Value.newBuilder().setStructValue(Struct.newBuilder().putAllFields(toPayload(m))).build();
        }
        throw new IllegalArgumentException("not a JSON value: " + o.getClass().getName());
    }

    /** A map of plain Java values as a payload. */
    static Map<String, Value> toPayload(Map<?, ?> map) {
        Map<String, Value> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put((String) k, toValue(v)));
        return out;
    }

    // ---- paths ----------------------------------------------------------------------------

    /**
     * The values a key path reaches in a payload, before arrays at the end of the path are
     * flattened: {@code a.b} walks objects, {@code a[]} every element of an array, {@code a[i]}
     * one element. A missing key contributes nothing.
     */
    static List<Value> valuesAt(Map<String, Value> payload, String key) {
        List<Value> current = new ArrayList<>();
        current.add(Value.newBuilder().setStructValue(Struct.newBuilder().putAllFields(payload)).build());
        for (String segment : splitPath(key)) {
            String name = segment;
            List<String> indexes = new ArrayList<>();
            int bracket = segment.indexOf('[');
            if (bracket >= 0) {
                name = segment.substring(0, bracket);
                String rest = segment.substring(bracket);
                while (!rest.isEmpty()) {
                    int close = rest.indexOf(']');
                    if (!rest.startsWith("[") || close < 0) {
                        throw invalid("Wrong input: invalid key path " + key);
                    }
                    indexes.add(rest.substring(1, close));
                    rest = rest.substring(close + 1);
                }
            }
            List<Value> next = new ArrayList<>();
            for (Value v : current) {
                if (v.hasStructValue() && v.getStructValue().containsFields(name)) {
                    next.add(v.getStructValue().getFieldsOrThrow(name));
                }
            }
            for (String index : indexes) {
                List<Value> projected = new ArrayList<>();
                for (Value v : next) {
                    if (!v.hasListValue()) {
                        continue;
                    }
                    List<Value> elements = v.getListValue().getValuesList();
                    if (index.isEmpty()) {
                        projected.addAll(elements);
                    } else {
                        int i = parseIndex(index, key);
                        if (i < elements.size()) {
                            projected.add(elements.get(i));
                        }
                    }
                }
                next = projected;
            }
            current = next;
        }
        return current;
    }

    private static int parseIndex(String index, String key) {
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw invalid("Wrong input: invalid array index in key path " + key);
        }
    }

    private static List<String> splitPath(String key) {
        if (key.isEmpty()) {
            throw invalid("Wrong input: empty key path");
        }
        if (key.contains("\"")) {
            throw unimplemented("quoted key path segments: " + key);
        }
        return List.of(key.split("\\.", -1));
    }

    /** The values at a path with arrays at the end flattened one level, as a match sees them. */
    private static List<Value> flatValuesAt(Map<String, Value> payload, String key) {
        List<Value> flat = new ArrayList<>();
        for (Value v : valuesAt(payload, key)) {
            if (v.hasListValue()) {
                flat.addAll(v.getListValue().getValuesList());
            } else {
                flat.add(v);
            }
        }
        return flat;
    }

    // ---- filters --------------------------------------------------------------------------

    /** Whether a point (id and payload) passes a filter; a default (empty) filter passes all. */
    static boolean matches(Filter filter, PointKey id, Map<String, Value> payload) {
        for (Condition c : filter.getMustList()) {
            if (!check(c, id, payload)) {
                return false;
            }
        }
        for (Condition c : filter.getMustNotList()) {
            if (check(c, id, payload)) {
                return false;
            }
        }
        if (filter.getShouldCount() > 0) {
            boolean any = false;
            for (Condition c : filter.getShouldList()) {
                if (check(c, id, payload)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        if (filter.hasMinShould()) {
            long hits = 0;
            for (Condition c : filter.getMinShould().getConditionsList()) {
                if (check(c, id, payload)) {
                    hits++;
                }
            }
            if (hits < filter.getMinShould().getMinCount()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rejects conditions the fake cannot evaluate, so a request fails loudly even when no point
     * would have reached the unsupported condition (an empty collection, a short-circuit).
     */
    static void validate(Filter filter) {
        for (Condition c : conditions(filter)) {
            switch (c.getConditionOneOfCase()) {
                case FIELD:
                    validateField(c.getField());
                    break;
                case FILTER:
                    validate(c.getFilter());
                    break;
                case NESTED:
                    splitPath(c.getNested().getKey());
                    validate(c.getNested().getFilter());
                    break;
                case IS_EMPTY:
                    splitPath(c.getIsEmpty().getKey());
                    break;
                case IS_NULL:
                    splitPath(c.getIsNull().getKey());
                    break;
                case HAS_ID:
                    c.getHasId().getHasIdList().forEach(PointKey::of);
                    break;
                case HAS_VECTOR:
                    throw unimplemented("filter condition has_vector");
                default:
                    throw invalid("Wrong input: empty filter condition");
            }
        }
    }

    /** Every condition of a filter's must, should, must_not and min_should, in that order (not nested ones). */
    static List<Condition> conditions(Filter filter) {
        List<Condition> all = new ArrayList<>();
        all.addAll(filter.getMustList());
        all.addAll(filter.getShouldList());
        all.addAll(filter.getMustNotList());
        all.addAll(filter.getMinShould().getConditionsList());
        return all;
    }

    private static void validateField(FieldCondition f) {
        splitPath(f.getKey());
        if (f.hasRange()) {
            throw unimplemented("filter condition range (key " + f.getKey() + ")");
        }
        if (f.hasGeoBoundingBox() || f.hasGeoRadius() || f.hasGeoPolygon()) {
            throw unimplemented("geo filter conditions (key " + f.getKey() + ")");
        }
        if (f.hasValuesCount()) {
            throw unimplemented("filter condition values_count (key " + f.getKey() + ")");
        }
        if (f.hasDatetimeRange()) {
            throw unimplemented("filter condition datetime_range (key " + f.getKey() + ")");
        }
        if (f.hasMatch()) {
            switch (f.getMatch().getMatchValueCase()) {
                case PHRASE:
                    throw unimplemented("match phrase (key " + f.getKey() + ")");
                case TEXT_ANY:
                    throw unimplemented("match text_any (key " + f.getKey() + ")");
                case MATCHVALUE_NOT_SET:
                    throw invalid("Wrong input: match without a value (key " + f.getKey() + ")");
                default:
                    break;
            }
        } else if (!f.hasIsEmpty() && !f.hasIsNull()) {
            throw invalid("Wrong input: field condition on key " + f.getKey() + " has no condition");
        }
    }

    private static boolean check(Condition c, PointKey id, Map<String, Value> payload) {
        switch (c.getConditionOneOfCase()) {
            case FIELD:
                return checkField(c.getField(), payload);
            case IS_EMPTY:
                return isEmpty(payload, c.getIsEmpty().getKey());
            case IS_NULL:
                return isNull(payload, c.getIsNull().getKey());
            case HAS_ID:
                for (PointId p : c.getHasId().getHasIdList()) {
                    if (PointKey.of(p).equals(id)) {
                        return true;
                    }
                }
                return false;
            case FILTER:
                return matches(c.getFilter(), id, payload);
            case NESTED:
                for (Value element : flatValuesAt(payload, c.getNested().getKey())) {
                    if (element.hasStructValue()
                            && matches(c.getNested().getFilter(), id, element.getStructValue().getFieldsMap())) {
                        return true;
                    }
                }
                return false;
            case HAS_VECTOR:
                throw unimplemented("filter condition has_vector");
            default:
                throw invalid("Wrong input: empty filter condition");
        }
    }

    /** Missing, null, an empty array, or nothing but nulls. */
    private static boolean isEmpty(Map<String, Value> payload, String key) {
        for (Value v : flatValuesAt(payload, key)) {
            if (!v.hasNullValue()) {
                return false;
            }
        }
        return true;
    }

    /** Present and null (or an array holding a null); a missing key or {@code []} is not null. */
    private static boolean isNull(Map<String, Value> payload, String key) {
        for (Value v : flatValuesAt(payload, key)) {
            if (v.hasNullValue()) {
                return true;
            }
        }
        return false;
    }

    private static boolean checkField(FieldCondition f, Map<String, Value> payload) {
        validateField(f);
        if (f.hasIsEmpty() && isEmpty(payload, f.getKey()) != f.getIsEmpty()) {
            return false;
        }
        if (f.hasIsNull() && isNull(payload, f.getKey()) != f.getIsNull()) {
            return false;
        }
        if (!f.hasMatch()) {
            return true;
        }
        Match m = f.getMatch();
        for (Value v : flatValuesAt(payload, f.getKey())) {
            if (matchOne(m, v)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchOne(Match m, Value v) {
        switch (m.getMatchValueCase()) {
            case KEYWORD:
                return v.hasStringValue() && v.getStringValue().equals(m.getKeyword());
            case KEYWORDS:
                return v.hasStringValue() && m.getKeywords().getStringsList().contains(v.getStringValue());
            case EXCEPT_KEYWORDS:
                if (v.hasStringValue()) {
                    return !m.getExceptKeywords().getStringsList().contains(v.getStringValue());
                }
                return !v.hasNullValue();
            case INTEGER:
                return v.hasIntegerValue() && v.getIntegerValue() == m.getInteger();
            case INTEGERS:
                return v.hasIntegerValue() && m.getIntegers().getIntegersList().contains(v.getIntegerValue());
            case EXCEPT_INTEGERS:
                if (v.hasIntegerValue()) {
                    return !m.getExceptIntegers().getIntegersList().contains(v.getIntegerValue());
                }
                return !v.hasNullValue();
            case BOOLEAN:
                return v.hasBoolValue() && v.getBoolValue() == m.getBoolean();
            case TEXT:
                return v.hasStringValue() && v.getStringValue().contains(m.getText());
            default:
                throw unimplemented("match " + m.getMatchValueCase());
        }
    }

    /** The distinct ids of a has_id-style list, in the order given. */
    static List<PointKey> keys(List<PointId> ids) {
        Set<PointKey> seen = new HashSet<>();
        List<PointKey> out = new ArrayList<>();
        for (PointId id : ids) {
            PointKey k = PointKey.of(id);
            if (seen.add(k)) {
                out.add(k);
            }
        }
        return out;
    }
}
