package dev.srouter.index.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QdrantValuesTest {

    @Test
    void jsonValuesRoundTripAsYamlAndJsonReadersGiveThem() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("b", true);
        nested.put("a", 3);
        Map<String, Object> original = new LinkedHashMap<>();
        original.put("team", "support");
        original.put("count", 7);
        original.put("big", 1L << 40);
        original.put("ratio", 0.25);
        original.put("none", null);
        original.put("tags", Arrays.asList("x", null, 2));
        original.put("nested", nested);

        Value v = QdrantValues.toValue(original);
        assertEquals(Value.KindCase.STRUCT_VALUE, v.getKindCase());
        assertEquals(Value.KindCase.INTEGER_VALUE, v.getStructValue().getFieldsMap().get("count").getKindCase());
        assertEquals(Value.KindCase.DOUBLE_VALUE, v.getStructValue().getFieldsMap().get("ratio").getKindCase());
        Object back = QdrantValues.fromValue(v);
        for (String key : original.keySet()) {
            assertEquals(original.get(key), ((Map<?, ?>) back).get(key), key);
        }
        assertEquals(original, back);
        assertEquals(Integer.class, ((Map<?, ?>) back).get("count").getClass(), "small integers come back as Integer, as from YAML");
        assertEquals(Long.class, ((Map<?, ?>) back).get("big").getClass());
        assertEquals(List.of("a", "b"), List.copyOf(((Map<?, ?>) ((Map<?, ?>) back).get("nested")).keySet()), "keys sorted");
    }
}
