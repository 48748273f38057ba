package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentHashTest {
    private static Route route(String name, List<String> utterances, Double threshold, Map<String, Object> metadata) {
        return new Route(name, utterances, "d", threshold, metadata, List.of());
    }

    @Test
    void orderOfRoutesUtterancesAndMapKeysDoesNotMatter() {
        Map<String, Object> m1 = new LinkedHashMap<>();
        m1.put("a", 1);
        m1.put("b", Map.of("x", 0.5));
        Map<String, Object> m2 = new LinkedHashMap<>();
        m2.put("b", Map.of("x", 0.50));
        m2.put("a", 1L);
        RouteSet one = RouteSet.of(List.of(route("p", List.of("u1", "u2"), 0.5, m1), route("q", List.of("v"), null, Map.of())));
        RouteSet two = RouteSet.of(List.of(route("q", List.of("v"), null, Map.of()), route("p", List.of("u2", "u1"), 0.50, m2)));
        assertEquals(ContentHash.of(one), ContentHash.of(two));
    }

    @Test
    void everyRealChangeChangesTheHash() {
        RouteSet base = RouteSet.of(List.of(route("p", List.of("u1", "u2"), 0.5, Map.of("team", "a"))));
        String h = ContentHash.of(base);
        assertNotEquals(h, ContentHash.of(RouteSet.of(List.of(route("p", List.of("u1"), 0.5, Map.of("team", "a"))))));
        assertNotEquals(h, ContentHash.of(RouteSet.of(List.of(route("p", List.of("u1", "u2"), 0.6, Map.of("team", "a"))))));
        assertNotEquals(h, ContentHash.of(RouteSet.of(List.of(route("p", List.of("u1", "u2"), 0.5, Map.of("team", "b"))))));
        assertNotEquals(h, ContentHash.of(RouteSet.of(List.of(route("P", List.of("u1", "u2"), 0.5, Map.of("team", "a"))))));
        assertNotEquals(h, ContentHash.of(RouteSet.of(List.of())));
        // an utterance moved from one route to another is a change, though the multiset of texts is the same
        RouteSet a = RouteSet.of(List.of(Route.of("x", List.of("1", "2")), Route.of("y", List.of("3"))));
        RouteSet b = RouteSet.of(List.of(Route.of("x", List.of("1")), Route.of("y", List.of("2", "3"))));
        assertNotEquals(ContentHash.of(a), ContentHash.of(b));
    }

    @Test
    void isAHexSha256() {
        assertEquals(64, ContentHash.of(RouteSet.of(List.of())).length());
        assertEquals(ContentHash.sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
