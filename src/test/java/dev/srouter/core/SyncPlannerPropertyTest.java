package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.AttributeChange.Attribute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's promise, checked over random pairs of route sets: every strategy but {@code error} makes both sides equal
 * to one target T, a second sync does nothing, the plan does not depend on input order, and {@code error} never
 * writes. Each pair comes from its own fixed seed; a failure names it, and {@code -Dsrouter.seed=N} reruns only it.
 */
class SyncPlannerPropertyTest {
    private static final int PAIRS = 600;
    private static final List<String> NAMES = List.of("politics", "chitchat", "billing", "weather", "support", "sports");
    private static final List<String> TEXTS = List.of("hi", "hello there", "what's up", "refund please", "I was charged twice",
            "who should I vote for", "is it raining", "Zebra", "zebra", "apple", "a", "b", "the president", "ok", "yes");
    private static final List<String> DESCRIPTIONS = List.of("talk about politics", "small talk", "money");
    private static final List<Double> THRESHOLDS = List.of(0.3, 0.5, Double.valueOf("0.50"), 0.82);

    @Test
    void everyStrategyConvergesOnTheTarget() {
        String only = System.getProperty("srouter.seed");
        long from = only == null ? 0 : Long.parseLong(only);
        long to = only == null ? PAIRS : from + 1;
        int inSync = 0;
        int emptySides = 0;
        for (long seed = from; seed < to; seed++) {
            Random random = new Random(seed);
            RouteSet local = routeSet(random, null);
            RouteSet remote = routeSet(random, random.nextInt(4) == 0 ? null : local);
            inSync += Diff.between(local, remote).isEmpty() ? 1 : 0;
            emptySides += local.routes().isEmpty() || remote.routes().isEmpty() ? 1 : 0;
            try {
                check(local, remote, random);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (rerun with -Dsrouter.seed=" + seed + "): " + e.getMessage()
                        + "\n  L = " + local + "\n  R = " + remote, e);
            }
        }
        if (only == null) {
            // The generator must reach the interesting corners, not only random noise.
            assertTrue(inSync >= 20, "pairs already in sync: " + inSync);
            assertTrue(emptySides >= 20, "pairs with an empty side: " + emptySides);
        }
    }

    private static void check(RouteSet local, RouteSet remote, Random random) {
        boolean same = Diff.between(local, remote).isEmpty();
        SyncPlan error = SyncPlanner.plan(local, remote, SyncStrategy.ERROR);
        assertTrue(error.isEmpty(), "error writes nothing");
        assertTrue(error.target().isEmpty(), "error has no target");
        assertEquals(same, error.inSync(), "error: inSync");
        assertEquals(remote, error.applyToRemote(remote));
        assertEquals(local, error.applyToLocal(local));

        for (SyncStrategy s : SyncStrategy.values()) {
            if (s == SyncStrategy.ERROR) {
                continue;
            }
            String where = s.cliName() + ": ";
            SyncPlan plan = SyncPlanner.plan(local, remote, s);
            RouteSet t = plan.target().orElseThrow();
            assertEquals(same, plan.inSync(), where + "inSync");
            assertTrue(Diff.between(t, expectedTarget(local, remote, s)).isEmpty(), where + "T follows the strategy table");
            assertEquals(local.encoderName(), t.encoderName(), where + "T keeps L's encoder");

            RouteSet remoteAfter = plan.applyToRemote(remote);
            RouteSet localAfter = plan.applyToLocal(local);
            assertTrue(Diff.between(remoteAfter, t).isEmpty(), where + "remote after the plan is T: " + remoteAfter);
            assertTrue(Diff.between(localAfter, t).isEmpty(), where + "local after the plan is T: " + localAfter);
            assertTrue(Diff.between(localAfter, remoteAfter).isEmpty(), where + "diff afterwards is empty");
            assertTrue(SyncPlanner.plan(t, t, s).isEmpty(), where + "planning from (T, T) does nothing");
            assertTrue(SyncPlanner.plan(localAfter, remoteAfter, s).isEmpty(), where + "a second sync does nothing");

            boolean nothingToDo = Diff.between(t, remote).isEmpty() && Diff.between(t, local).isEmpty();
            assertEquals(nothingToDo, plan.isEmpty(), where + "isEmpty exactly when both sides already equal T");
            assertEquals(!Diff.between(t, local).isEmpty(), plan.localChanged(), where + "localChanged");
            assertEquals(Diff.between(t, local), plan.localDiff(), where + "localDiff is Diff.between(T, L)");
            if (same) {
                assertTrue(plan.isEmpty(), where + "equal sides: empty plan");
            }
            checkRecords(plan, remote, t, where);

            // Input order is not a change: the remote side of the plan is the same, T the same as a set.
            RouteSet shuffledLocal = shuffled(local, random);
            RouteSet shuffledRemote = shuffled(remote, random);
            SyncPlan again = SyncPlanner.plan(shuffledLocal, shuffledRemote, s);
            assertEquals(plan.remoteUpserts(), again.remoteUpserts(), where + "upserts under shuffling");
            assertEquals(plan.remoteDeletes(), again.remoteDeletes(), where + "deletes under shuffling");
            assertEquals(plan.remotePayloadUpdates(), again.remotePayloadUpdates(), where + "payload updates under shuffling");
            assertEquals(plan.remoteAttributeUpdates(), again.remoteAttributeUpdates(), where + "attribute updates");
            assertEquals(plan.manifestChange(), again.manifestChange(), where + "manifest change under shuffling");
            assertEquals(plan.localChanged(), again.localChanged(), where + "localChanged under shuffling");
            assertEquals(plan.summary(), again.summary(), where + "summary under shuffling");
            assertTrue(Diff.between(t, again.target().orElseThrow()).isEmpty(), where + "T under shuffling");
            // The remote has no order at all: shuffling it alone changes nothing, not even T's order.
            assertEquals(plan, SyncPlanner.plan(local, shuffledRemote, s), where + "plan under shuffling R");
            assertEquals(plan, SyncPlanner.plan(local, remote, s), where + "same inputs, equal plans");
        }
    }

    /** The remote record lists against plain set arithmetic on (route, utterance) pairs. */
    private static void checkRecords(SyncPlan plan, RouteSet remote, RouteSet t, String where) {
        Set<Utterance> before = records(remote);
        Set<Utterance> after = records(t);
        Set<Utterance> upserts = new HashSet<>(after);
        upserts.removeAll(before);
        Set<Utterance> deletes = new HashSet<>(before);
        deletes.removeAll(after);
        assertEquals(upserts, new HashSet<>(plan.remoteUpserts()), where + "upserts = T - R");
        assertEquals(deletes, new HashSet<>(plan.remoteDeletes()), where + "deletes = R - T");
        assertEquals(upserts.size(), plan.remoteUpserts().size(), where + "no duplicate upserts");
        List<String> payload = new ArrayList<>();
        List<String> attributes = new ArrayList<>();
        for (RouteDiff d : Diff.between(t, remote).routes()) {
            List<Attribute> changed = d.attributeChanges().stream().map(AttributeChange::attribute).toList();
            if (changed.contains(Attribute.METADATA) || changed.contains(Attribute.FUNCTION_SCHEMAS)) {
                payload.add(d.route());
            }
            if (changed.contains(Attribute.DESCRIPTION) || changed.contains(Attribute.SCORE_THRESHOLD)) {
                attributes.add(d.route());
            }
        }
        Collections.sort(payload);
        Collections.sort(attributes);
        assertEquals(payload, plan.remotePayloadUpdates(), where + "payload updates: routes on both whose payload differs");
        assertEquals(attributes, plan.remoteAttributeUpdates(), where + "attribute updates");
        List<Utterance> sorted = new ArrayList<>(plan.remoteUpserts());
        Collections.sort(sorted);
        assertEquals(sorted, plan.remoteUpserts(), where + "upserts sorted");
    }

    private static Set<Utterance> records(RouteSet set) {
        Set<Utterance> out = new HashSet<>();
        set.routes().forEach(r -> r.utterances().forEach(u -> out.add(new Utterance(r.name(), u))));
        return out;
    }

    /** The strategy table of DESIGN.md, written as directly as possible (an oracle; order does not matter here). */
    private static RouteSet expectedTarget(RouteSet local, RouteSet remote, SyncStrategy s) {
        Map<String, Route> l = new TreeMap<>();
        local.routes().forEach(r -> l.put(r.name(), r));
        Map<String, Route> r = new TreeMap<>();
        remote.routes().forEach(x -> r.put(x.name(), x));
        if (s == SyncStrategy.LOCAL) {
            return local;
        }
        if (s == SyncStrategy.REMOTE) {
            return remote;
        }
        Map<String, Route> t = new TreeMap<>(l);
        r.forEach((name, rr) -> {
            Route lr = l.get(name);
            if (lr == null) {
                t.put(name, rr);
            } else if (s == SyncStrategy.MERGE_FORCE_REMOTE) {
                t.put(name, rr);
            } else if (s == SyncStrategy.MERGE) {
                Set<String> union = new LinkedHashSet<>(lr.utterances());
                union.addAll(rr.utterances());
                t.put(name, new Route(name, new ArrayList<>(union),
                        lr.description() == null ? rr.description() : lr.description(),
                        lr.scoreThreshold() == null ? rr.scoreThreshold() : lr.scoreThreshold(),
                        lr.metadata().isEmpty() ? rr.metadata() : lr.metadata(),
                        lr.functionSchemas().isEmpty() ? rr.functionSchemas() : lr.functionSchemas()));
            }
        });
        return RouteSet.of(new ArrayList<>(t.values()));
    }

    // ----------------------------------------------------------------------------------------------- generators

    /** A random route set; with a {@code base}, a variation of it, so the two sides overlap (or are equal). */
    private static RouteSet routeSet(Random random, RouteSet base) {
        List<Route> routes = new ArrayList<>();
        if (base == null) {
            if (random.nextInt(8) != 0) { // else routes: []
                for (String name : pick(random, NAMES, 1 + random.nextInt(4))) {
                    routes.add(route(random, name));
                }
            }
            return new RouteSet(random.nextBoolean() ? "local" : null, "model-" + random.nextInt(3), routes);
        }
        if (random.nextInt(6) == 0) {
            return shuffled(base, random); // already in sync
        }
        for (Route r : base.routes()) {
            switch (random.nextInt(5)) {
                case 0 -> { } // only local
                case 1 -> routes.add(route(random, r.name())); // unrelated content, same name
                case 2 -> routes.add(r); // identical
                default -> routes.add(vary(random, r));
            }
        }
        Set<String> taken = new HashSet<>();
        routes.forEach(r -> taken.add(r.name()));
        for (String name : pick(random, NAMES, random.nextInt(3))) {
            if (taken.add(name)) {
                routes.add(route(random, name)); // only remote
            }
        }
        return shuffled(new RouteSet(null, null, routes), random);
    }

    private static Route route(Random random, String name) {
        return new Route(name, pick(random, TEXTS, 1 + random.nextInt(5)),
                random.nextBoolean() ? null : DESCRIPTIONS.get(random.nextInt(DESCRIPTIONS.size())),
                random.nextBoolean() ? null : THRESHOLDS.get(random.nextInt(THRESHOLDS.size())),
                metadata(random), functionSchemas(random));
    }

    /** The same route with some utterances dropped or added and some attributes changed. */
    private static Route vary(Random random, Route r) {
        Set<String> texts = new LinkedHashSet<>(r.utterances());
        if (random.nextBoolean()) {
            texts.remove(r.utterances().get(random.nextInt(r.utterances().size())));
        }
        if (random.nextBoolean()) {
            texts.addAll(pick(random, TEXTS, 1 + random.nextInt(2)));
        }
        if (texts.isEmpty()) {
            texts.add(TEXTS.get(random.nextInt(TEXTS.size())));
        }
        Route other = route(random, r.name());
        return new Route(r.name(), new ArrayList<>(texts),
                random.nextInt(3) == 0 ? other.description() : r.description(),
                random.nextInt(3) == 0 ? other.scoreThreshold() : r.scoreThreshold(),
                random.nextInt(3) == 0 ? other.metadata() : sameValueOtherForm(r.metadata()),
                random.nextInt(3) == 0 ? other.functionSchemas() : r.functionSchemas());
    }

    private static Map<String, Object> metadata(Random random) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (random.nextInt(5)) {
            case 0, 1 -> { } // none
            case 2 -> m.put("team", random.nextBoolean() ? "safety" : "trust");
            case 3 -> {
                m.put("team", "safety");
                m.put("weight", random.nextBoolean() ? (Object) 1L : (Object) 2.5);
            }
            default -> m.put("limits", Map.of("max", random.nextBoolean() ? 0.5 : 0.7, "tags", List.of("x", "y")));
        }
        return m;
    }

    /** Metadata equal by value but spelled differently: integers as doubles, key order reversed. */
    private static Map<String, Object> sameValueOtherForm(Map<String, Object> m) {
        List<String> keys = new ArrayList<>(m.keySet());
        Collections.reverse(keys);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : keys) {
            Object v = m.get(k);
            out.put(k, v instanceof Long n ? (Object) n.doubleValue() : v);
        }
        return out;
    }

    private static List<Map<String, Object>> functionSchemas(Random random) {
        Map<String, Object> f = Map.of("name", "get_time", "parameters", Map.of("timezone", "string"));
        Map<String, Object> g = Map.of("name", "get_weather");
        return switch (random.nextInt(5)) {
            case 0 -> List.of(f);
            case 1 -> List.of(f, g);
            case 2 -> List.of(g, f);
            default -> List.of();
        };
    }

    private static List<String> pick(Random random, List<String> from, int n) {
        List<String> copy = new ArrayList<>(from);
        Collections.shuffle(copy, random);
        return new ArrayList<>(copy.subList(0, Math.min(n, copy.size())));
    }

    /** The same content in another order: routes, utterances and map keys (function schema lists keep theirs). */
    static RouteSet shuffled(RouteSet set, Random random) {
        List<Route> routes = new ArrayList<>();
        for (Route r : set.routes()) {
            List<String> texts = new ArrayList<>(r.utterances());
            Collections.shuffle(texts, random);
            List<Map<String, Object>> schemas = new ArrayList<>();
            r.functionSchemas().forEach(f -> schemas.add(shuffledMap(f, random)));
            routes.add(new Route(r.name(), texts, r.description(), r.scoreThreshold(), shuffledMap(r.metadata(), random),
                    schemas));
        }
        Collections.shuffle(routes, random);
        return new RouteSet(set.encoderType(), set.encoderName(), routes);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> shuffledMap(Map<String, Object> m, Random random) {
        List<String> keys = new ArrayList<>(m.keySet());
        Collections.shuffle(keys, random);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : keys) {
            Object v = m.get(k);
            out.put(k, v instanceof Map<?, ?> inner ? shuffledMap((Map<String, Object>) inner, random) : v);
        }
        return out;
    }

    @Test
    void shuffledKeepsContent() {
        Random random = new Random(7);
        for (int i = 0; i < 50; i++) {
            RouteSet set = routeSet(random, null);
            assertTrue(Diff.between(set, shuffled(set, random)).isEmpty());
        }
        assertFalse(Diff.between(routeSet(new Random(1), null), RouteSet.of(List.of(Route.of("x", List.of("y"))))).isEmpty());
    }
}
