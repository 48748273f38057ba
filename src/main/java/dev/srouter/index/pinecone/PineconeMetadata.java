package dev.srouter.index.pinecone;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.srouter.core.SrouterException;
import dev.srouter.index.JsonValues;
import dev.srouter.index.VectorIndex.StoredRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A record's Pinecone metadata in semantic-router's layout: {@code sr_route}, {@code sr_utterance},
 * {@code sr_function_schema} (the route's function schemas as a JSON string, {@code "{}"} for none, as
 * the Python library writes it) and the route's metadata keys beside them. Pinecone metadata holds
 * strings, numbers, booleans and lists of strings only; anything else is refused before a write with
 * a message that names the route and key. Numbers come back as doubles: a whole number is read back
 * as an integer, as YAML gives it.
 */
final class PineconeMetadata {
    static final String ROUTE = "sr_route";
    static final String UTTERANCE = "sr_utterance";
    static final String FUNCTION_SCHEMA = "sr_function_schema";
    /** Pinecone's limit on one vector's metadata (40 KB). */
    static final int MAX_BYTES = 40 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PineconeMetadata() {}

    static Struct of(StoredRecord r) {
        Struct.Builder s = Struct.newBuilder();
        r.metadata().forEach((k, v) -> {
            if (k.equals(ROUTE) || k.equals(UTTERANCE) || k.equals(FUNCTION_SCHEMA)) {
                throw SrouterException.failure("route '" + r.route() + "': metadata key '" + k + "' is reserved for srouter's own use");
            }
            s.putFields(k, value(r.route(), k, v));
        });
        s.putFields(ROUTE, Value.newBuilder().setStringValue(r.route()).build());
        s.putFields(UTTERANCE, Value.newBuilder().setStringValue(r.utterance()).build());
        s.putFields(FUNCTION_SCHEMA, Value.newBuilder().setStringValue(schemasJson(r.functionSchemas())).build());
        Struct built = s.build();
        int size = strictSize(built);
        if (size > MAX_BYTES) {
            throw SrouterException.failure("route '" + r.route() + "': an utterance with the route's metadata and function schemas takes "
                    + size + " bytes (as JSON with non-ASCII escaped, the largest way Pinecone might count them); Pinecone holds at most "
                    + MAX_BYTES + " bytes of metadata per vector");
        }
        return built;
    }

    /**
     * The size of a metadata the largest way Pinecone might count it against its 40 KB: the docs give the limit but not how
     * it is measured, so this is the larger of the protobuf encoding (what the gRPC client sends) and JSON with every
     * non-ASCII character escaped as {@code \\uXXXX} (what REST clients such as Python's {@code json.dumps} send; UTF-8
     * JSON is never longer).
     */
    static int strictSize(Struct metadata) {
        return Math.max(metadata.getSerializedSize(), jsonSize(Value.newBuilder().setStructValue(metadata).build()));
    }

    private static int jsonSize(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> jsonSize(v.getStringValue());
            case NUMBER_VALUE -> Double.toString(v.getNumberValue()).length();
            case BOOL_VALUE -> v.getBoolValue() ? 4 : 5;
            case NULL_VALUE, KIND_NOT_SET -> 4;
            case LIST_VALUE -> 2 + Math.max(0, v.getListValue().getValuesCount() - 1)
                    + v.getListValue().getValuesList().stream().mapToInt(PineconeMetadata::jsonSize).sum();
            case STRUCT_VALUE -> 2 + Math.max(0, v.getStructValue().getFieldsCount() - 1)
                    + v.getStructValue().getFieldsMap().entrySet().stream().mapToInt(e -> jsonSize(e.getKey()) + 1 + jsonSize(e.getValue())).sum();
        };
    }

    /** A JSON string's length with its quotes, every non-ASCII UTF-16 unit and control character escaped as 6 bytes. */
    static int jsonSize(String s) {
        int n = 2;
        for (int i = 0; i < s.length(); i++) {
            n += jsonCost(s.charAt(i));
        }
        return n;
    }

    /** Bytes one UTF-16 unit takes in escaped JSON: at least its UTF-8 bytes (1 to 3; 2 per unit of a surrogate pair). */
    static int jsonCost(char c) {
        if (c == '"' || c == '\\') {
            return 2;
        }
        return c < 0x20 || c >= 0x80 ? 6 : 1;
    }

    private static Value value(String route, String key, Object v) {
        if (v instanceof String str) {
            return Value.newBuilder().setStringValue(str).build();
        }
        if (v instanceof Boolean b) {
            return Value.newBuilder().setBoolValue(b).build();
        }
        if (v instanceof Number n) {
            return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        }
        if (v instanceof List<?> list && list.stream().allMatch(e -> e instanceof String)) {
            ListValue.Builder l = ListValue.newBuilder();
            list.forEach(e -> l.addValues(Value.newBuilder().setStringValue((String) e)));
            return Value.newBuilder().setListValue(l).build();
        }
        String what = v == null ? "null" : v instanceof Map<?, ?> ? "a map" : v instanceof List<?> ? "a list with non-strings" : v.getClass().getSimpleName();
        throw SrouterException.failure("route '" + route + "': metadata key '" + key + "' is " + what
                + "; Pinecone metadata holds strings, numbers, booleans and lists of strings only");
    }

    /** The record in {@code metadata}, or null when it is not one of ours (no sr_route or sr_utterance). */
    static StoredRecord record(Struct metadata) {
        Map<String, Value> f = metadata.getFieldsMap();
        Value route = f.get(ROUTE);
        Value utterance = f.get(UTTERANCE);
        if (route == null || utterance == null || !route.hasStringValue() || !utterance.hasStringValue()) {
            return null;
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        f.entrySet().stream().filter(e -> !e.getKey().equals(ROUTE) && !e.getKey().equals(UTTERANCE) && !e.getKey().equals(FUNCTION_SCHEMA))
                .sorted(Map.Entry.comparingByKey()).forEach(e -> meta.put(e.getKey(), plain(e.getValue())));
        Value schema = f.get(FUNCTION_SCHEMA);
        List<Map<String, Object>> schemas = schema != null && schema.hasStringValue() ? schemas(schema.getStringValue()) : List.of();
        return new StoredRecord(route.getStringValue(), utterance.getStringValue(), Collections.unmodifiableMap(meta), schemas);
    }

    static Object plain(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case NUMBER_VALUE -> number(v.getNumberValue());
            case LIST_VALUE -> {
                List<Object> out = new ArrayList<>();
                v.getListValue().getValuesList().forEach(x -> out.add(plain(x)));
                yield Collections.unmodifiableList(out);
            }
            case STRUCT_VALUE -> {
                Map<String, Object> out = new LinkedHashMap<>();
                v.getStructValue().getFieldsMap().forEach((k, x) -> out.put(k, plain(x)));
                yield Collections.unmodifiableMap(out);
            }
            case NULL_VALUE, KIND_NOT_SET -> null;
        };
    }

    private static Object number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return JsonValues.whole((long) d);
        }
        return Double.valueOf(d);
    }

    static String schemasJson(List<Map<String, Object>> schemas) {
        try {
            return schemas.isEmpty() ? "{}" : JSON.writeValueAsString(schemas);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** semantic-router writes one schema object, {@code "{}"} for none; srouter writes a list. */
    static List<Map<String, Object>> schemas(String json) {
        try {
            Object parsed = JSON.readValue(json, Object.class);
            if (parsed instanceof Map<?, ?> m) {
                return m.isEmpty() ? List.of() : List.of(cast(m));
            }
            if (parsed instanceof List<?> l) {
                List<Map<String, Object>> out = new ArrayList<>();
                l.stream().filter(Map.class::isInstance).forEach(o -> out.add(cast((Map<?, ?>) o)));
                return List.copyOf(out);
            }
        } catch (JsonProcessingException e) {
            // not JSON: no schemas we can use
        }
        return List.of();
    }

    private static Map<String, Object> cast(Map<?, ?> m) {
        return JSON.convertValue(m, new TypeReference<Map<String, Object>>() {});
    }
}
