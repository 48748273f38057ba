package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final double EPS = 1e-9;

    private static List<Hit> hits() {
        return List.of(
                new Hit("a", "a1", 0.90),
                new Hit("b", "b1", 0.85),
                new Hit("b", "b2", 0.80),
                new Hit("b", "b3", 0.75),
                new Hit("a", "a2", 0.30));
    }

    @Test
    void meanAggregationRanksByAverageOfTheRoutesHits() {
        RouteDecision d = new Router(Map.of(), 0.5, Aggregation.MEAN).decide("q", hits(), 1);
        // a: (0.90 + 0.30) / 2 = 0.60; b: (0.85 + 0.80 + 0.75) / 3 = 0.80 -> b first
        assertEquals(List.of("b", "a"), d.candidates().stream().map(Candidate::route).toList());
        assertEquals(0.80, d.candidates().get(0).score(), EPS);
        assertEquals(0.60, d.candidates().get(1).score(), EPS);
        assertEquals("b", d.best().orElseThrow().route());
    }

    @Test
    void maxAndSumAggregation() {
        Router max = new Router(Map.of(), 0.5, Aggregation.MAX);
        assertEquals("a", max.decide("q", hits(), 1).best().orElseThrow().route());
        assertEquals(0.90, max.decide("q", hits(), 1).best().orElseThrow().score(), EPS);
        Router sum = new Router(Map.of(), 0.5, Aggregation.SUM);
        RouteDecision d = sum.decide("q", hits(), 1);
        assertEquals("b", d.best().orElseThrow().route());
        assertEquals(2.40, d.best().orElseThrow().score(), EPS);
    }

    @Test
    void aRoutePassesWhenItsBestSimilarityReachesItsThreshold() {
        // b's best similarity is 0.85: a threshold of exactly 0.85 passes, 0.851 does not
        assertTrue(new Router(Map.of("b", 0.85), 0.0, Aggregation.MEAN).decide("q", hits(), 1).best().isPresent());
        RouteDecision d = new Router(Map.of("b", 0.851, "a", 0.95), 0.0, Aggregation.MEAN).decide("q", hits(), 1);
        assertTrue(d.best().isEmpty(), "no route should pass: " + d);
        assertFalse(d.candidates().get(0).passed());
        assertEquals(0.851, d.candidates().get(0).threshold(), EPS);
    }

    @Test
    void routeThresholdOverridesTheGlobalOne() {
        Router r = new Router(Map.of("b", 0.99), 0.5, Aggregation.MEAN);
        RouteDecision d = r.decide("q", hits(), 1);
        // b ranks first but fails its own 0.99; a passes the global 0.5 with 0.90
        assertEquals("a", d.best().orElseThrow().route());
        assertEquals(0.5, d.best().orElseThrow().threshold(), EPS);
        assertEquals(0.99, r.thresholdOf("b"), EPS);
        assertEquals(0.5, r.thresholdOf("unknown"), EPS);
    }

    @Test
    void limitReturnsUpToNPassingRoutesBestFirst() {
        Router r = new Router(Map.of(), 0.5, Aggregation.MEAN);
        assertEquals(List.of("b"), r.decide("q", hits(), 1).routes().stream().map(Candidate::route).toList());
        assertEquals(List.of("b", "a"), r.decide("q", hits(), 2).routes().stream().map(Candidate::route).toList());
        assertEquals(List.of("b", "a"), r.decide("q", hits(), 10).routes().stream().map(Candidate::route).toList());
    }

    @Test
    void noHitsMeansNoRoute() {
        RouteDecision d = new Router(Map.of(), 0.0, Aggregation.MEAN).decide("q", List.of(), 3);
        assertTrue(d.best().isEmpty());
        assertTrue(d.candidates().isEmpty());
    }

    @Test
    void decisionDoesNotDependOnTheOrderOfHits() {
        Router r = new Router(Map.of(), 0.5, Aggregation.MEAN);
        List<Hit> tied = new ArrayList<>(List.of(new Hit("x", "x1", 0.7), new Hit("y", "y1", 0.7), new Hit("z", "z1", 0.6)));
        RouteDecision reference = r.decide("q", tied, 3);
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(tied, random);
            assertEquals(reference, r.decide("q", tied, 3));
        }
        assertEquals("x", reference.best().orElseThrow().route(), "ties are broken by route name");
        assertEquals(List.of("x1", "y1", "z1"), reference.nearest().stream().map(Hit::utterance).toList());
    }

    @Test
    void aggregationParsesCaseInsensitivelyAndRejectsUnknown() {
        assertEquals(Aggregation.MAX, Aggregation.parse("MAX"));
        SrouterException e = org.junit.jupiter.api.Assertions.assertThrows(SrouterException.class, () -> Aggregation.parse("median"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("mean, max or sum"), e.getMessage());
    }
}
