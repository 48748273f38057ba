package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {
    @Test
    void roundTripsThroughJson() {
        RouteSet content = RouteSet.of(List.of(
                new Route("politics", List.of("a", "b"), "talk about politics", 0.45, Map.of("team", "safety"),
                        List.of(Map.of("name", "get_time", "parameters", Map.of("type", "object")))),
                Route.of("chitchat", List.of("hi"))));
        Manifest m = Manifest.of(content, "local:all-MiniLM-L6-v2-q", 384, "srouter 0.1.0", "2026-11-25T05:00:00Z");
        Manifest back = Manifest.parse(m.toJson()).orElseThrow();
        assertEquals(m, back);
        assertEquals(ContentHash.of(content), back.contentHash());
        assertEquals(0.45, back.routes().get("politics").scoreThreshold());
        assertEquals("get_time", back.routes().get("politics").functionSchemas().get(0).get("name"));
        assertNull(back.routes().get("chitchat").scoreThreshold());
        assertNull(back.routes().get("chitchat").description());
        assertEquals(3, back.records(), "the number of records written");
        assertEquals(-1, Manifest.parse(m.toJson().replace(",\"records\":3", "")).orElseThrow().records(),
                "a manifest from before the count was recorded");
    }

    @Test
    void unreadableOrNewerManifestsAreIgnored() {
        assertTrue(Manifest.parse(null).isEmpty());
        assertTrue(Manifest.parse("").isEmpty());
        assertTrue(Manifest.parse("{not json").isEmpty());
        assertTrue(Manifest.parse("{\"version\": 2}").isEmpty());
    }
}
