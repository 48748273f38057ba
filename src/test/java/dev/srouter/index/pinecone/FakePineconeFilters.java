package dev.srouter.index.pinecone;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Pinecone's metadata model and metadata filter language, for {@link FakePineconeServer}.
 *
 * <p>Metadata values are what Pinecone stores: strings, numbers (kept as {@code Double}, as Pinecone keeps
 * float64 and hands an integer 2020 back as 2020.0), booleans and lists of strings. Nulls, nested objects and
 * lists of anything but strings are refused, as Pinecone refuses them.
 *
 * <p>The filter language: {@code $eq $ne $in $nin $gt $gte $lt $lte $exists $and $or}, implicit equality
 * ({@code {"genre": "drama"}}), several keys in one object meaning AND. A list-valued field matches {@code $eq}
 * and {@code $in} when any element matches, and {@code $ne} and {@code $nin} when no element does. A missing
 * field matches {@code $ne}, {@code $nin} and {@code {"$exists": false}} only. {@code $gt $gte $lt $lte} take
 * numbers and never match a non-number. Any other operator, or an operand of the wrong type, is refused with an
 * {@link IllegalArgumentException} naming it (the server turns it into INVALID_ARGUMENT).
 */
final class FakePineconeFilters {

    private FakePineconeFilters() {
    }

    /**
     * Converts upserted protobuf metadata to stored metadata.
     *
     * @throws IllegalArgumentException naming the field whose value Pinecone would refuse
     */
    static Map<String, Object> fromStruct(Struct struct) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : struct.getFieldsMap().entrySet()) {
            out.put(e.getKey(), storedValue(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static Object storedValue(String field, Value v) {
        switch (v.getKindCase()) {
            case STRING_VALUE:
                return v.getStringValue();
            case NUMBER_VALUE:
                return v.getNumberValue();
            case BOOL_VALUE:
                return v.getBoolValue();
            case LIST_VALUE:
                List<String> list = new ArrayList<>();
                for (Value item : v.getListValue().getValuesList()) {
                    if (item.getKindCase() != Value.KindCase.STRING_VALUE) {
                        throw new IllegalArgumentException("Metadata value for field '" + field
                                + "' must be a string, number, boolean or list of strings; got a list containing "
                                + kindName(item));
                    }
                    list.add(item.getStringValue());
                }
                return List.copyOf(list);
            default:
                throw new IllegalArgumentException("Metadata value for field '" + field
                        + "' must be a string, number, boolean or list of strings; got " + kindName(v));
        }
    }

    /**
     * Normalises seeded metadata (as the Python library would have written it) to stored metadata: any
     * {@link Number} becomes a {@code Double}; strings, booleans and lists of strings are kept.
     *
     * @throws IllegalArgumentException for a value Pinecone would refuse
     */
    static Map<String, Object> normalize(Map<String, ?> metadata) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (metadata == null) {
            return out;
        }
        for (Map.Entry<String, ?> e : metadata.entrySet()) {
            Object v = e.getValue();
            if (v instanceof String || v instanceof Boolean) {
                out.put(e.getKey(), v);
            } else if (v instanceof Number n) {
                out.put(e.getKey(), n.doubleValue());
            } else if (v instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
                out.put(e.getKey(), List.copyOf(list));
            } else {
                throw new IllegalArgumentException("Metadata value for field '" + e.getKey()
                        + "' must be a string, number, boolean or list of strings; got "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
        }
        return out;
    }

    /** Converts stored metadata back to the protobuf form the client reads. */
    static Struct toStruct(Map<String, Object> metadata) {
        Struct.Builder b = Struct.newBuilder();
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            b.putFields(e.getKey(), toValue(e.getValue()));
        }
        return b.build();
    }

    private static Value toValue(Object v) {
        if (v instanceof String s) {
            return Value.newBuilder().setStringValue(s).build();
        } else if (v instanceof Double d) {
            return Value.newBuilder().setNumberValue(d).build();
        } else if (v instanceof Boolean bool) {
            return Value.newBuilder().setBoolValue(bool).build();
        } else if (v instanceof List<?> list) {
            ListValue.Builder lb = ListValue.newBuilder();
            for (Object item : list) {
                lb.addValues(toValue(item));
            }
            return Value.newBuilder().setListValue(lb).build();
        }
        return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }

    /**
     * Compiles a filter. An empty filter matches everything.
     *
     * @throws IllegalArgumentException naming the unsupported operator or the malformed operand
     */
    static Predicate<Map<String, Object>> compile(Struct filter) {
        return compileObject(plain(filter));
    }

    private static Predicate<Map<String, Object>> compileObject(Map<String, Object> filter) {
        List<Predicate<Map<String, Object>>> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : filter.entrySet()) {
            String key = e.getKey();
            if (key.equals("$and") || key.equals("$or")) {
                List<Predicate<Map<String, Object>>> clauses = new ArrayList<>();
                if (!(e.getValue() instanceof List<?> list) || list.isEmpty()) {
                    throw new IllegalArgumentException("Filter operator " + key + " takes a non-empty list of filters");
                }
                for (Object clause : list) {
                    if (!(clause instanceof Map<?, ?> m)) {
                        throw new IllegalArgumentException("Filter operator " + key + " takes a list of objects");
                    }
                    clauses.add(compileObject(cast(m)));
                }
                parts.add(key.equals("$and")
                        ? md -> clauses.stream().allMatch(c -> c.test(md))
                        : md -> clauses.stream().anyMatch(c -> c.test(md)));
            } else if (key.startsWith("$")) {
                throw new IllegalArgumentException("Unsupported filter operator " + key + " at the top level");
            } else if (e.getValue() instanceof Map<?, ?> ops) {
                if (ops.isEmpty()) {
                    throw new IllegalArgumentException("Filter for field '" + key + "' has no operator");
                }
                for (Map.Entry<String, Object> op : cast(ops).entrySet()) {
                    parts.add(compileOperator(key, op.getKey(), op.getValue()));
                }
            } else {
                parts.add(compileOperator(key, "$eq", e.getValue()));
            }
        }
        return md -> parts.stream().allMatch(p -> p.test(md));
    }

    private static Predicate<Map<String, Object>> compileOperator(String field, String op, Object operand) {
        switch (op) {
            case "$eq":
                requireScalar(field, op, operand);
                return md -> anyElement(md.get(field), v -> Objects.equals(v, operand));
            case "$ne":
                requireScalar(field, op, operand);
                return md -> !anyElement(md.get(field), v -> Objects.equals(v, operand));
            case "$in":
            case "$nin": {
                if (!(operand instanceof List<?> values)) {
                    throw new IllegalArgumentException("Filter operator " + op + " on field '" + field
                            + "' takes a list of strings or numbers");
                }
                for (Object v : values) {
                    requireScalar(field, op, v);
                }
                Predicate<Map<String, Object>> in = md -> anyElement(md.get(field), values::contains);
                return op.equals("$in") ? in : in.negate();
            }
            case "$gt":
            case "$gte":
            case "$lt":
            case "$lte": {
                if (!(operand instanceof Double bound)) {
                    throw new IllegalArgumentException("Filter operator " + op + " on field '" + field
                            + "' takes a number");
                }
                return md -> md.get(field) instanceof Double d && switch (op) {
                    case "$gt" -> d > bound;
                    case "$gte" -> d >= bound;
                    case "$lt" -> d < bound;
                    default -> d <= bound;
                };
            }
            case "$exists": {
                if (!(operand instanceof Boolean wanted)) {
                    throw new IllegalArgumentException("Filter operator $exists on field '" + field
                            + "' takes a boolean");
                }
                return md -> md.containsKey(field) == wanted;
            }
            default:
                throw new IllegalArgumentException("Unsupported filter operator " + op + " on field '" + field
                        + "' (supported: $eq $ne $in $nin $gt $gte $lt $lte $exists $and $or)");
        }
    }

    private static void requireScalar(String field, String op, Object operand) {
        if (!(operand instanceof String || operand instanceof Double || operand instanceof Boolean)) {
            throw new IllegalArgumentException("Filter operator " + op + " on field '" + field
                    + "' takes a string, number or boolean, got " + describe(operand));
        }
    }

    private static boolean anyElement(Object stored, Predicate<Object> test) {
        if (stored instanceof List<?> list) {
            return list.stream().anyMatch(test);
        }
        return stored != null && test.test(stored);
    }

    /** Protobuf Struct to plain Java: Map, List, String, Double, Boolean, null. */
    private static Map<String, Object> plain(Struct struct) {
        Map<String, Object> out = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    private static Object plain(Value v) {
        switch (v.getKindCase()) {
            case STRUCT_VALUE:
                return plain(v.getStructValue());
            case LIST_VALUE:
                List<Object> list = new ArrayList<>();
                v.getListValue().getValuesList().forEach(item -> list.add(plain(item)));
                return list;
            case STRING_VALUE:
                return v.getStringValue();
            case NUMBER_VALUE:
                return v.getNumberValue();
            case BOOL_VALUE:
                return v.getBoolValue();
            default:
                return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static String describe(Object operand) {
        if (operand == null) {
            return "null";
        }
        return operand instanceof List ? "a list" : operand instanceof Map ? "an object" : operand.toString();
    }

    private static String kindName(Value v) {
        switch (v.getKindCase()) {
            case STRUCT_VALUE:
                return "a nested object";
            case LIST_VALUE:
                return "a list";
            case NULL_VALUE:
                return "null";
            case NUMBER_VALUE:
                return "a number";
            case BOOL_VALUE:
                return "a boolean";
            default:
                return "no value";
        }
    }
}
