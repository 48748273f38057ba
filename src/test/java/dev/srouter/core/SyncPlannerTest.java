package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One worked example per strategy, the same L and R as docs/sync-strategies.md, so the numbers there are checked here.
 */
class SyncPlannerTest {
    static final String P1 = "isn't politics the best thing ever";
    static final String P2 = "what are your political opinions";
    static final String P3 = "what do you think of the president";
    static final String P4 = "who should I vote for";
    static final String C1 = "how's the weather today";
    static final String C2 = "lovely day isn't it";
    static final String B1 = "I was charged twice";
    static final String B2 = "how do I get a refund";

    static final Route L_POLITICS = new Route("politics", List.of(P1, P2, P3), "talk about politics", null,
            Map.of("team", "safety"), List.of());
    static final Route CHITCHAT = Route.of("chitchat", List.of(C1, C2));
    static final Route R_POLITICS = new Route("politics", List.of(P4, P2, P1), null, 0.5, Map.of("team", "trust"), List.of());
    static final Route BILLING = Route.of("billing", List.of(B2, B1));

    static final RouteSet L = new RouteSet("local", "all-MiniLM-L6-v2-q", List.of(L_POLITICS, CHITCHAT));
    static final RouteSet R = new RouteSet(null, null, List.of(R_POLITICS, BILLING));

    private static List<Utterance> records(String... routeAndText) {
        return Arrays.stream(routeAndText).map(s -> {
            int colon = s.indexOf(": ");
            return new Utterance(s.substring(0, colon), s.substring(colon + 2));
        }).toList();
    }

    private static SyncPlan plan(SyncStrategy s) {
        SyncPlan plan = SyncPlanner.plan(L, R, s);
        assertEquals(s, plan.strategy());
        assertFalse(plan.inSync());
        if (s != SyncStrategy.ERROR) {
            RouteSet t = plan.target().orElseThrow();
            assertEquals("local", t.encoderType());
            assertEquals("all-MiniLM-L6-v2-q", t.encoderName());
            assertTrue(Diff.between(plan.applyToRemote(R), t).isEmpty(), "remote after the plan is T");
            assertTrue(Diff.between(plan.applyToLocal(L), t).isEmpty(), "local after the plan is T");
            assertTrue(SyncPlanner.plan(t, t, s).isEmpty(), "a second sync does nothing");
        }
        return plan;
    }

    /** The target exactly: route order, utterance order and attribute values. */
    private static void assertTarget(SyncPlan plan, Route... routes) {
        assertEquals(List.of(routes), plan.target().orElseThrow().routes());
    }

    @Test
    void errorNeverWrites() {
        SyncPlan plan = plan(SyncStrategy.ERROR);
        assertTrue(plan.isEmpty());
        assertFalse(plan.writesRemote());
        assertFalse(plan.localChanged());
        assertTrue(plan.target().isEmpty());
        assertEquals(List.of(), plan.remoteUpserts());
        assertEquals(List.of(), plan.remoteDeletes());
        assertEquals(R, plan.applyToRemote(R));
        assertEquals(L, plan.applyToLocal(L));
        assertEquals(3, plan.diff().changedRouteCount());
        assertEquals(3, plan.diff().localOnlyCount()); // P3, C1, C2
        assertEquals(3, plan.diff().remoteOnlyCount()); // P4, B1, B2
        assertEquals(3, plan.diff().attributeChangeCount()); // politics: description, threshold, metadata
        assertEquals("remote: +0 -0 ~0  local: +0 -0 ~0", plan.summary());

        RouteSet shuffled = RouteSet.of(List.of(CHITCHAT.withUtterances(List.of(C2, C1)), L_POLITICS));
        SyncPlan same = SyncPlanner.plan(L, shuffled, SyncStrategy.ERROR);
        assertTrue(same.inSync());
        assertTrue(same.isEmpty());
    }

    @Test
    void localPushesTheFileAndLeavesItAlone() {
        SyncPlan plan = plan(SyncStrategy.LOCAL);
        assertTarget(plan, L_POLITICS, CHITCHAT);
        assertEquals(records("chitchat: " + C1, "chitchat: " + C2, "politics: " + P3), plan.remoteUpserts());
        assertEquals(records("billing: " + B1, "billing: " + B2, "politics: " + P4), plan.remoteDeletes());
        assertEquals(List.of("politics"), plan.remotePayloadUpdates());
        assertEquals(List.of("politics"), plan.remoteAttributeUpdates());
        assertTrue(plan.manifestChange());
        assertFalse(plan.localChanged());
        assertEquals("remote: +3 -3 ~1  local: +0 -0 ~0", plan.summary());
    }

    @Test
    void remotePullsTheIndexAndLeavesItAlone() {
        SyncPlan plan = plan(SyncStrategy.REMOTE);
        assertTarget(plan,
                R_POLITICS.withUtterances(List.of(P1, P2, P4)), // L's order, then remote-only sorted
                BILLING.withUtterances(List.of(B1, B2)));
        assertFalse(plan.writesRemote());
        assertFalse(plan.manifestChange());
        assertTrue(plan.localChanged());
        assertEquals("remote: +0 -0 ~0  local: +3 -3 ~1", plan.summary());
    }

    @Test
    void mergeForceLocalTakesLocalRoutesWholeAndAddsRemoteOnlyRoutes() {
        SyncPlan plan = plan(SyncStrategy.MERGE_FORCE_LOCAL);
        assertTarget(plan, L_POLITICS, CHITCHAT, BILLING.withUtterances(List.of(B1, B2)));
        assertEquals(records("chitchat: " + C1, "chitchat: " + C2, "politics: " + P3), plan.remoteUpserts());
        assertEquals(records("politics: " + P4), plan.remoteDeletes());
        assertEquals(List.of("politics"), plan.remotePayloadUpdates());
        assertEquals(List.of("politics"), plan.remoteAttributeUpdates());
        assertTrue(plan.localChanged());
        assertEquals("remote: +3 -1 ~1  local: +2 -0 ~0", plan.summary());
    }

    @Test
    void mergeForceRemoteTakesRemoteRoutesWholeAndKeepsLocalOnlyRoutes() {
        SyncPlan plan = plan(SyncStrategy.MERGE_FORCE_REMOTE);
        assertTarget(plan, R_POLITICS.withUtterances(List.of(P1, P2, P4)), CHITCHAT, BILLING.withUtterances(List.of(B1, B2)));
        assertEquals(records("chitchat: " + C1, "chitchat: " + C2), plan.remoteUpserts());
        assertEquals(List.of(), plan.remoteDeletes());
        assertEquals(List.of(), plan.remotePayloadUpdates());
        assertEquals(List.of(), plan.remoteAttributeUpdates());
        assertFalse(plan.manifestChange());
        assertEquals("remote: +2 -0 ~0  local: +3 -1 ~1", plan.summary());
    }

    @Test
    void mergeUnitesUtterancesAndPrefersLocalAttributesWhereSet() {
        SyncPlan plan = plan(SyncStrategy.MERGE);
        Route politics = new Route("politics", List.of(P1, P2, P3, P4), "talk about politics", 0.5,
                Map.of("team", "safety"), List.of());
        assertTarget(plan, politics, CHITCHAT, BILLING.withUtterances(List.of(B1, B2)));
        assertEquals(records("chitchat: " + C1, "chitchat: " + C2, "politics: " + P3), plan.remoteUpserts());
        assertEquals(List.of(), plan.remoteDeletes());
        assertEquals(List.of("politics"), plan.remotePayloadUpdates()); // team: trust -> safety
        assertEquals(List.of("politics"), plan.remoteAttributeUpdates()); // description appears
        assertTrue(plan.manifestChange());
        assertEquals("remote: +3 -0 ~1  local: +3 -0 ~1", plan.summary()); // the file gains score_threshold 0.5
        RouteDiff localPolitics = plan.localDiff().routes().get(0);
        assertEquals(List.of(P4), localPolitics.localOnly());
        assertEquals(List.of(new AttributeChange(AttributeChange.Attribute.SCORE_THRESHOLD, 0.5, null)),
                localPolitics.attributeChanges());
    }

    @Test
    void metadataOnlyChangeRewritesPayloadWithoutEmbedding() {
        RouteSet local = RouteSet.of(List.of(new Route("r", List.of("a", "b"), null, null, Map.of("v", 2), List.of())));
        RouteSet remote = RouteSet.of(List.of(new Route("r", List.of("b", "a"), null, null, Map.of("v", 1), List.of())));
        SyncPlan plan = SyncPlanner.plan(local, remote, SyncStrategy.LOCAL);
        assertEquals(List.of(), plan.remoteUpserts());
        assertEquals(List.of(), plan.remoteDeletes());
        assertEquals(List.of("r"), plan.remotePayloadUpdates());
        assertFalse(plan.manifestChange());
        assertFalse(plan.isEmpty());
        assertEquals("remote: +0 -0 ~1  local: +0 -0 ~0", plan.summary());
    }

    @Test
    void thresholdOnlyChangeIsAManifestChange() {
        RouteSet local = RouteSet.of(List.of(new Route("r", List.of("a"), null, 0.5, Map.of(), List.of())));
        RouteSet remote = RouteSet.of(List.of(new Route("r", List.of("a"), null, 0.4, Map.of(), List.of())));
        SyncPlan plan = SyncPlanner.plan(local, remote, SyncStrategy.LOCAL);
        assertEquals(List.of(), plan.remotePayloadUpdates());
        assertEquals(List.of("r"), plan.remoteAttributeUpdates());
        assertTrue(plan.manifestChange());
        assertTrue(plan.writesRemote());
    }

    @Test
    void equalSidesGiveAnEmptyPlanForEveryStrategy() {
        RouteSet reordered = RouteSet.of(List.of(CHITCHAT.withUtterances(List.of(C2, C1)), L_POLITICS.withUtterances(
                List.of(P3, P1, P2))));
        for (SyncStrategy s : SyncStrategy.values()) {
            SyncPlan plan = SyncPlanner.plan(L, reordered, s);
            assertTrue(plan.inSync(), s::cliName);
            assertTrue(plan.isEmpty(), s::cliName);
        }
    }

    @Test
    void strategyNames() {
        assertEquals(SyncStrategy.MERGE_FORCE_REMOTE, SyncStrategy.parse("merge-force-remote"));
        assertEquals(SyncStrategy.MERGE_FORCE_LOCAL, SyncStrategy.parse("MERGE_FORCE_LOCAL"));
        assertEquals(SyncStrategy.ERROR, SyncStrategy.parse("error"));
        assertEquals("merge-force-local", SyncStrategy.MERGE_FORCE_LOCAL.cliName());
        assertEquals(List.of("error", "remote", "local", "merge-force-remote", "merge-force-local", "merge"),
                SyncStrategy.cliNames());
        for (String bad : new String[] {"merge-force", "", "push"}) {
            SrouterException e = assertThrows(SrouterException.class, () -> SyncStrategy.parse(bad));
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertTrue(e.getMessage().contains("error, remote, local, merge-force-remote, merge-force-local, merge"),
                    e::getMessage);
        }
        assertEquals(64, assertThrows(SrouterException.class, () -> SyncStrategy.parse(null)).exitCode());
    }
}
