package dev.srouter.index.qdrant;

import dev.srouter.index.JsonValues;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Payload values between plain Java (what YAML and JSON give: maps, lists, strings, numbers,
 * booleans, null) and Qdrant's {@code JsonWithInt.Value}. Integers stay integers and other
 * numbers become doubles, as Qdrant stores JSON.
 */
final class QdrantValues {
    private QdrantValues() {}

    static Value toValue(Object o) {
        if (o == null) {
            return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
        }
        if (o instanceof String s) {
            return Value.newBuilder().setStringValue(s).build();
        }
        if (o instanceof Boolean b) {
            return Value.newBuilder().setBoolValue(b).build();
        }
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            return Value.newBuilder().setIntegerValue(((Number) o).longValue()).build();
        }
        if (o instanceof BigInteger big && big.bitLength() < 64) {
            return Value.newBuilder().setIntegerValue(big.longValue()).build();
        }
        if (o instanceof Number n) {
            return Value.newBuilder().setDoubleValue(n instanceof BigDecimal d ? d.doubleValue() : n.doubleValue()).build();
        }
        if (o instanceof Map<?, ?> m) {
            Struct.Builder struct = Struct.newBuilder();
            m.forEach((k, v) -> struct.putFields(String.valueOf(k), toValue(v)));
            return Value.newBuilder().setStructValue(struct).build();
        }
        if (o instanceof List<?> l) {
            ListValue.Builder list = ListValue.newBuilder();
            l.forEach(v -> list.addValues(toValue(v)));
            return Value.newBuilder().setListValue(list).build();
        }
        return Value.newBuilder().setStringValue(o.toString()).build();
    }

    /** The plain Java value: unmodifiable maps (keys sorted, protobuf keeps no order) and lists, Integer (Long when too big), Double, String, Boolean or null. */
    static Object fromValue(Value v) {
        return switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case BOOL_VALUE -> v.getBoolValue();
            case INTEGER_VALUE -> JsonValues.whole(v.getIntegerValue());
            case DOUBLE_VALUE -> v.getDoubleValue();
            case STRING_VALUE -> v.getStringValue();
            case STRUCT_VALUE -> fromStruct(v.getStructValue().getFieldsMap());
            case LIST_VALUE -> {
                List<Object> out = new ArrayList<>(v.getListValue().getValuesCount());
                v.getListValue().getValuesList().forEach(x -> out.add(fromValue(x)));
                yield Collections.unmodifiableList(out);
            }
        };
    }

    static Map<String, Object> fromStruct(Map<String, Value> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.put(e.getKey(), fromValue(e.getValue())));
        return Collections.unmodifiableMap(out);
    }

    static Map<String, Value> toPayload(Map<String, ?> map) {
        Map<String, Value> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, toValue(v)));
        return out;
    }
}
