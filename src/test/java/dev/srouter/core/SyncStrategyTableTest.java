package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The promise of DESIGN.md, over random pairs of route sets: every strategy but error makes both
 * sides equal to one target, a second plan does nothing, error never writes, and the plan does
 * not depend on the order routes and utterances come in.
 */
class SyncStrategyTableTest {
    private static final List<String> NAMES = List.of("politics", "chitchat", "billing", "customer support", "greetings", "tech");
    private static final List<String> TEXTS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "where is my order? 🚚", "isn't it");

    private static RouteSet random(Random rnd) {
        List<Route> routes = new ArrayList<>();
        for (String name : NAMES) {
            if (rnd.nextInt(3) == 0) {
                continue;
            }
            Set<String> utts = new LinkedHashSet<>();
            int n = 1 + rnd.nextInt(5);
            while (utts.size() < n) {
                utts.add(TEXTS.get(rnd.nextInt(TEXTS.size())));
            }
            routes.add(new Route(name, new ArrayList<>(utts), rnd.nextBoolean() ? null : "d" + rnd.nextInt(2),
                    rnd.nextBoolean() ? null : 0.1 * rnd.nextInt(3), rnd.nextBoolean() ? Map.of() : Map.of("team", "t" + rnd.nextInt(2)),
                    rnd.nextInt(4) == 0 ? List.of(Map.of("name", "f" + rnd.nextInt(2))) : List.of()));
        }
        return RouteSet.of(routes);
    }

    private static RouteSet shuffled(RouteSet set, Random rnd) {
        List<Route> routes = new ArrayList<>();
        for (Route r : set.routes()) {
            List<String> u = new ArrayList<>(r.utterances());
            Collections.shuffle(u, rnd);
            routes.add(r.withUtterances(u));
        }
        Collections.shuffle(routes, rnd);
        return RouteSet.of(routes);
    }

    @Test
    void everyStrategyConvergesToItsTargetAndIsIdempotent() {
        for (long seed = 0; seed < 600; seed++) {
            Random rnd = new Random(seed);
            RouteSet local = random(rnd);
            RouteSet remote = random(rnd);
            for (SyncStrategy s : SyncStrategy.values()) {
                String where = "seed " + seed + ", strategy " + s.cliName();
                SyncPlan plan = SyncPlanner.plan(local, remote, s);
                assertEquals(Diff.between(local, remote).isEmpty(), plan.inSync(), where);
                if (s == SyncStrategy.ERROR) {
                    assertTrue(plan.isEmpty() && plan.target().isEmpty(), "error never writes: " + where);
                    continue;
                }
                RouteSet target = plan.target().orElseThrow();
                assertTrue(Diff.between(plan.applyToRemote(remote), target).isEmpty(), "remote reaches T: " + where);
                assertTrue(Diff.between(plan.applyToLocal(local), target).isEmpty(), "local reaches T: " + where);
                SyncPlan again = SyncPlanner.plan(target, target, s);
                assertTrue(again.isEmpty() && again.inSync(), "a second sync does nothing: " + where);
                SyncPlan reordered = SyncPlanner.plan(shuffled(local, rnd), shuffled(remote, rnd), s);
                assertEquals(plan.remoteUpserts(), reordered.remoteUpserts(), where);
                assertEquals(plan.remoteDeletes(), reordered.remoteDeletes(), where);
                assertEquals(plan.remotePayloadUpdates(), reordered.remotePayloadUpdates(), where);
                assertTrue(Diff.between(target, reordered.target().orElseThrow()).isEmpty(), where);
            }
        }
    }

    @Test
    void strategiesMeanWhatTheTableSays() {
        RouteSet local = RouteSet.of(List.of(
                new Route("politics", List.of("a", "b"), "local d", null, Map.of("team", "L"), List.of()),
                Route.of("chitchat", List.of("hi"))));
        RouteSet remote = RouteSet.of(List.of(
                new Route("politics", List.of("b", "c"), null, 0.5, Map.of("team", "R"), List.of()),
                Route.of("billing", List.of("invoice"))));

        RouteSet merge = SyncPlanner.plan(local, remote, SyncStrategy.MERGE).target().orElseThrow();
        Route p = merge.route("politics").orElseThrow();
        assertEquals(List.of("a", "b", "c"), p.utterances());
        assertEquals("local d", p.description());
        assertEquals(0.5, p.scoreThreshold(), "remote's attribute where local sets none");
        assertEquals(Map.of("team", "L"), p.metadata(), "local's attribute where both set one");
        assertEquals(List.of("politics", "chitchat", "billing"), merge.routeNames());

        RouteSet forceLocal = SyncPlanner.plan(local, remote, SyncStrategy.MERGE_FORCE_LOCAL).target().orElseThrow();
        assertEquals(List.of("a", "b"), forceLocal.route("politics").orElseThrow().utterances());
        assertTrue(forceLocal.route("billing").isPresent());
        RouteSet forceRemote = SyncPlanner.plan(local, remote, SyncStrategy.MERGE_FORCE_REMOTE).target().orElseThrow();
        assertEquals(List.of("b", "c"), forceRemote.route("politics").orElseThrow().utterances());
        assertTrue(forceRemote.route("chitchat").isPresent());

        SyncPlan push = SyncPlanner.plan(local, remote, SyncStrategy.LOCAL);
        assertEquals(List.of(new Utterance("chitchat", "hi"), new Utterance("politics", "a")), push.remoteUpserts());
        assertEquals(List.of(new Utterance("billing", "invoice"), new Utterance("politics", "c")), push.remoteDeletes());
        assertEquals(List.of("politics"), push.remotePayloadUpdates());
        assertFalse(push.localChanged());

        SyncPlan pull = SyncPlanner.plan(local, remote, SyncStrategy.REMOTE);
        assertTrue(pull.remoteUpserts().isEmpty() && pull.remoteDeletes().isEmpty() && pull.remotePayloadUpdates().isEmpty());
        assertTrue(pull.localChanged());
    }

    @Test
    void reorderingIsNoChange() {
        RouteSet a = RouteSet.of(List.of(Route.of("x", List.of("1", "2")), Route.of("y", List.of("3"))));
        RouteSet b = RouteSet.of(List.of(Route.of("y", List.of("3")), Route.of("x", List.of("2", "1"))));
        assertTrue(Diff.between(a, b).isEmpty());
        assertTrue(SyncPlanner.plan(a, b, SyncStrategy.MERGE).isEmpty());
    }
}
