package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.AttributeChange.Attribute;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiffTest {

    private static Route route(String name, String... utterances) {
        return Route.of(name, List.of(utterances));
    }

    private static Route route(String name, Map<String, Object> metadata, String... utterances) {
        return new Route(name, List.of(utterances), null, null, metadata, List.of());
    }

    private static RouteSet set(Route... routes) {
        return RouteSet.of(List.of(routes));
    }

    private static RouteDiff only(Diff diff) {
        assertEquals(1, diff.routes().size(), () -> "routes: " + diff.routes());
        return diff.routes().get(0);
    }

    @Test
    void reorderedRoutesAndUtterancesAreNoChange() {
        RouteSet a = set(route("politics", "p1", "p2", "p3"), route("chitchat", "c1", "c2"));
        RouteSet b = set(route("chitchat", "c2", "c1"), route("politics", "p3", "p1", "p2"));
        Diff diff = Diff.between(a, b);
        assertTrue(diff.isEmpty());
        assertEquals(List.of(), diff.changed());
        assertEquals(0, diff.changedRouteCount());
        assertEquals(List.of("politics", "chitchat"), diff.routes().stream().map(RouteDiff::route).toList());
        assertEquals(3, diff.routes().get(0).common());
    }

    @Test
    void emptySetsAreEqual() {
        assertTrue(Diff.between(set(), set()).isEmpty());
        assertEquals(List.of(), Diff.between(set(), set()).routes());
    }

    @Test
    void utterancesOnOneSideKeepLocalOrderAndSortRemote() {
        RouteSet local = set(route("politics", "zeta", "shared", "alpha"));
        RouteSet remote = set(route("politics", "shared", "yankee", "bravo"));
        RouteDiff d = only(Diff.between(local, remote));
        assertEquals(RouteDiff.Status.BOTH, d.status());
        assertEquals(List.of("zeta", "alpha"), d.localOnly());
        assertEquals(List.of("bravo", "yankee"), d.remoteOnly());
        assertEquals(1, d.common());
        assertEquals(List.of(), d.attributeChanges());
        assertFalse(d.isEmpty());
    }

    @Test
    void routesOnOneSideHaveAllUtterancesOneSidedAndNoAttributeChanges() {
        Route billing = new Route("billing", List.of("refund", "invoice"), "money", 0.4, Map.of("team", "fin"), List.of());
        Route chitchat = new Route("chitchat", List.of("hi", "bye"), "small talk", 0.3, Map.of(), List.of());
        Route alpha = route("alpha", "a");
        Diff diff = Diff.between(set(chitchat), set(billing, alpha));
        assertEquals(List.of("chitchat", "alpha", "billing"), diff.routes().stream().map(RouteDiff::route).toList());
        RouteDiff c = diff.routes().get(0);
        assertEquals(RouteDiff.Status.LOCAL_ONLY, c.status());
        assertEquals(List.of("hi", "bye"), c.localOnly());
        assertEquals(List.of(), c.remoteOnly());
        assertEquals(List.of(), c.attributeChanges());
        RouteDiff b = diff.routes().get(2);
        assertEquals(RouteDiff.Status.REMOTE_ONLY, b.status());
        assertEquals(List.of("invoice", "refund"), b.remoteOnly());
        assertEquals(List.of(), b.attributeChanges());
        assertEquals(2, diff.localOnlyCount());
        assertEquals(3, diff.remoteOnlyCount());
        assertEquals(1, diff.routeCount(RouteDiff.Status.LOCAL_ONLY));
        assertEquals(2, diff.routeCount(RouteDiff.Status.REMOTE_ONLY));
        assertEquals(0, diff.attributeChangeCount());
    }

    @Test
    void descriptionChange() {
        Route l = new Route("r", List.of("u"), "new words", null, Map.of(), List.of());
        Route r = new Route("r", List.of("u"), null, null, Map.of(), List.of());
        RouteDiff d = only(Diff.between(set(l), set(r)));
        assertEquals(List.of(new AttributeChange(Attribute.DESCRIPTION, "new words", null)), d.attributeChanges());
        assertEquals(1, Diff.between(set(l), set(r)).attributeChangeCount());
    }

    @Test
    void thresholdChangeAndEqualNumbers() {
        Route l = new Route("r", List.of("u"), null, 0.5, Map.of(), List.of());
        Route r = new Route("r", List.of("u"), null, 0.45, Map.of(), List.of());
        assertEquals(List.of(new AttributeChange(Attribute.SCORE_THRESHOLD, 0.5, 0.45)),
                only(Diff.between(set(l), set(r))).attributeChanges());
        Route same = new Route("r", List.of("u"), null, Double.valueOf("0.50"), Map.of(), List.of());
        assertTrue(Diff.between(set(l), set(same)).isEmpty());
    }

    @Test
    void metadataComparesDeeplyIgnoringKeyOrderAndNumberSpelling() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("team", "safety");
        a.put("limits", Map.of("max", 0.5, "tags", List.of("x", 1L)));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("limits", Map.of("tags", List.of("x", 1.0), "max", new BigDecimal("0.50")));
        b.put("team", "safety");
        assertTrue(Diff.between(set(route("r", a, "u")), set(route("r", b, "u"))).isEmpty());

        Map<String, Object> c = new LinkedHashMap<>(b);
        c.put("limits", Map.of("tags", List.of(1.0, "x"), "max", 0.5)); // list order matters
        RouteDiff d = only(Diff.between(set(route("r", a, "u")), set(route("r", c, "u"))));
        assertEquals(1, d.attributeChanges().size());
        AttributeChange change = d.attributeChanges().get(0);
        assertEquals(Attribute.METADATA, change.attribute());
        assertEquals(a, change.local());
        assertEquals(c, change.remote());
    }

    @Test
    void metadataKeyWithNullDiffersFromMissingKey() {
        Map<String, Object> withNull = new LinkedHashMap<>();
        withNull.put("team", null);
        withNull.put("x", 1);
        Map<String, Object> other = Map.of("y", 1, "x", 1);
        assertFalse(Diff.between(set(route("r", withNull, "u")), set(route("r", other, "u"))).isEmpty());
    }

    @Test
    void functionSchemasCompareInOrder() {
        Map<String, Object> f = Map.of("name", "get_time", "parameters", Map.of("tz", "string"));
        Map<String, Object> g = Map.of("name", "get_weather");
        Route l = new Route("r", List.of("u"), null, null, Map.of(), List.of(f, g));
        Route sameReordered = new Route("r", List.of("u"), null, null, Map.of(),
                List.of(Map.of("parameters", Map.of("tz", "string"), "name", "get_time"), g));
        Route swapped = new Route("r", List.of("u"), null, null, Map.of(), List.of(g, f));
        assertTrue(Diff.between(set(l), set(sameReordered)).isEmpty());
        RouteDiff d = only(Diff.between(set(l), set(swapped)));
        assertEquals(List.of(new AttributeChange(Attribute.FUNCTION_SCHEMAS, List.of(f, g), List.of(g, f))),
                d.attributeChanges());
    }

    @Test
    void everyAttributeChangeIsListedInFileKeyOrder() {
        Route l = new Route("r", List.of("u"), "d1", 0.1, Map.of("k", 1), List.of(Map.of("name", "f")));
        Route r = new Route("r", List.of("u"), "d2", 0.2, Map.of("k", 2), List.of());
        assertEquals(List.of(Attribute.DESCRIPTION, Attribute.SCORE_THRESHOLD, Attribute.METADATA, Attribute.FUNCTION_SCHEMAS),
                only(Diff.between(set(l), set(r))).attributeChanges().stream().map(AttributeChange::attribute).toList());
    }

    @Test
    void duplicateRouteNamesAreAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> Diff.between(set(route("a", "x"), route("a", "y")), set()));
    }

    @Test
    void duplicateUtterancesAreAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> Diff.between(set(route("a", "x", "x")), set(route("a", "x"))));
        assertThrows(IllegalArgumentException.class, () -> Diff.between(set(), set(route("a", "x", "x"))));
    }

    @Test
    void valuesEquality() {
        assertTrue(Values.equal(1L, 1.0));
        assertTrue(Values.equal(0.1f, 0.1));
        assertTrue(Values.equal(new BigDecimal("2.500"), 2.5));
        assertFalse(Values.equal("0.5", 0.5));
        assertFalse(Values.equal(true, 1));
        assertTrue(Values.equal(Double.NaN, Double.NaN));
        assertFalse(Values.equal(null, Map.of()));
        assertFalse(Values.equal(List.of(1), List.of(1, 1)));
    }
}
