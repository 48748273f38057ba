package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.EvalReport.Confusion;
import dev.srouter.core.EvalReport.Outcome;
import dev.srouter.core.EvalReport.RouteStats;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The figures of {@code srouter eval}, from hand-made outcomes with known answers. */
class EvalReportTest {
    private static final double EPS = 1e-12;

    private static Outcome o(String expected, String got, double confidence) {
        return new Outcome(expected, got, OptionalDouble.of(confidence));
    }

    private static Outcome o(String expected, String got) {
        return new Outcome(expected, got);
    }

    /**
     * Ten queries: seven labelled with a route (a a a a a b b), three labelled none.
     * Right: #1, #2, #5 (in scope) and #7, #8 (out of scope).
     */
    private static final List<Outcome> TEN = List.of(
            o("a", "a", 0.92),   // 1 right
            o("a", "a", 0.85),   // 2 right
            o("a", "b", 0.63),   // 3 wrong route
            o("a", null, 0.30),  // 4 no route (its confidence is not calibrated: no route)
            o("b", "b", 0.97),   // 5 right
            o("b", "a", 0.55),   // 6 wrong route
            o(null, null, 0.20), // 7 right (out of scope)
            o(null, null),       // 8 right (out of scope)
            o(null, "a", 0.67),  // 9 routed although out of scope
            o("a", "b", 0.61));  // 10 wrong route

    private static final EvalReport REPORT = EvalReport.of(TEN, List.of("a", "b", "c"));

    @Test
    void inScopeAccuracyCountsNoRouteAsWrong() {
        assertEquals(10, REPORT.queries());
        assertEquals(7, REPORT.inScope());
        assertEquals(3, REPORT.inScopeCorrect());
        assertEquals(3, REPORT.inScopeWrongRoute());
        assertEquals(1, REPORT.inScopeNoRoute());
        assertEquals(3.0 / 7, REPORT.accuracy().getAsDouble(), EPS);
    }

    @Test
    void outOfScopeRecallIsTheShareOfNoneLabelledQueriesThatGetNoRoute() {
        assertEquals(3, REPORT.outOfScope());
        assertEquals(2, REPORT.outOfScopeCorrect());
        assertEquals(1, REPORT.outOfScopeRouted());
        assertEquals(2.0 / 3, REPORT.outOfScopeRecall().getAsDouble(), EPS);
        assertEquals(5, REPORT.misses());
    }

    @Test
    void perRoutePrecisionRecallAndF1InTheGivenOrder() {
        List<RouteStats> routes = REPORT.routes();
        assertEquals(List.of("a", "b", "c"), routes.stream().map(RouteStats::route).toList());
        RouteStats a = routes.get(0);
        assertEquals(5, a.support());
        assertEquals(4, a.predicted()); // #1, #2, #6, #9
        assertEquals(2, a.correct());
        assertEquals(0.5, a.precision(), EPS);
        assertEquals(0.4, a.recall(), EPS);
        assertEquals(4.0 / 9, a.f1(), EPS); // 2PR/(P+R) = 0.4/0.9
        RouteStats b = routes.get(1);
        assertEquals(2, b.support());
        assertEquals(3, b.predicted()); // #3, #5, #10
        assertEquals(1, b.correct());
        assertEquals(1.0 / 3, b.precision(), EPS);
        assertEquals(0.5, b.recall(), EPS);
        assertEquals(0.4, b.f1(), EPS);
        RouteStats c = routes.get(2);
        assertEquals(0, c.support());
        assertEquals(0, c.predicted());
        assertNull(c.precision());
        assertNull(c.recall());
        assertNull(c.f1());
        assertEquals((4.0 / 9 + 0.4) / 2, REPORT.macroF1().getAsDouble(), EPS, "the mean over routes with support (a, b)");
    }

    @Test
    void aRouteNeverPredictedHasNoPrecisionAndAnF1OfZero() {
        EvalReport r = EvalReport.of(List.of(o("a", null), o("a", "a")), List.of("a", "b"));
        assertEquals(1.0, r.routes().get(0).precision(), EPS);
        EvalReport never = EvalReport.of(List.of(o("b", "a")), List.of("a", "b"));
        RouteStats b = never.routes().get(1);
        assertNull(b.precision());
        assertEquals(0.0, b.recall(), EPS);
        assertEquals(0.0, b.f1(), EPS);
    }

    @Test
    void routesOnlyTheOutcomesNameFollowTheGivenOnesByName() {
        EvalReport r = EvalReport.of(List.of(o("z", "y"), o("x", "x")), List.of("x"));
        assertEquals(List.of("x", "y", "z"), r.routes().stream().map(RouteStats::route).toList());
    }

    @Test
    void confusedPairsMostFrequentFirstThenByExpectedAndGotWithNoneFirst() {
        assertEquals(List.of(new Confusion("a", "b", 2), new Confusion(null, "a", 1), new Confusion("a", null, 1), new Confusion("b", "a", 1)),
                REPORT.confusions());
        assertEquals(List.of(new Confusion("a", "b", 2), new Confusion(null, "a", 1)), REPORT.confusions(2));
        assertEquals(4, REPORT.confusions(10).size());
    }

    @Test
    void expectedCalibrationErrorOverRoutedDecisionsWithAConfidence() {
        // Routed with a confidence: #1 .92 right, #2 .85 right, #3 .63 wrong, #5 .97 right, #6 .55 wrong, #9 .67 wrong,
        // #10 .61 wrong (#4 and #7 got no route). Bins: [.9,1] {.92,.97} acc 1; [.8,.9) {.85} acc 1;
        // [.6,.7) {.63,.67,.61} acc 0; [.5,.6) {.55} acc 0.
        assertEquals(7, REPORT.calibrated());
        double ece = (2 * Math.abs(0.945 - 1) + Math.abs(0.85 - 1) + 3 * Math.abs(1.91 / 3 - 0) + Math.abs(0.55 - 0)) / 7;
        assertEquals(2.72 / 7, ece, 1e-12);
        assertEquals(ece, REPORT.expectedCalibrationError().getAsDouble(), 1e-12);
        List<EvalReport.Bin> bins = REPORT.bins();
        assertEquals(List.of(0.5, 0.6, 0.8, 0.9), bins.stream().map(EvalReport.Bin::from).toList());
        assertEquals(List.of(1, 3, 1, 2), bins.stream().map(EvalReport.Bin::count).toList());
        assertEquals(0.945, bins.get(3).confidence(), 1e-12);
        assertEquals(1.0, bins.get(3).accuracy(), EPS);
        assertEquals(1.91 / 3, bins.get(1).confidence(), 1e-12);
        assertEquals(0.0, bins.get(1).accuracy(), EPS);
    }

    @Test
    void confidencesAtTheEdgesFallInTheFirstAndLastBins() {
        // Two decisions at confidence 0.75, one right: accuracy 0.5 against 0.75; one at 1.0, right.
        EvalReport r = EvalReport.of(List.of(o("a", "a", 0.75), o("a", "b", 0.75), o("a", "a", 1.0), o("b", "b", 0.05)), List.of("a", "b"));
        assertEquals(List.of(0.0, 0.7, 0.9), r.bins().stream().map(EvalReport.Bin::from).toList());
        assertEquals((0.95 + 2 * 0.25 + 0) / 4, r.expectedCalibrationError().getAsDouble(), 1e-12);
    }

    @Test
    void withoutConfidencesThereIsNoCalibrationError() {
        EvalReport r = EvalReport.of(List.of(o("a", "a"), o("a", "b"), o(null, null)), List.of("a", "b"));
        assertTrue(r.expectedCalibrationError().isEmpty());
        assertEquals(0, r.calibrated());
        assertTrue(r.bins().isEmpty());
    }

    @Test
    void figuresWithoutADenominatorAreAbsent() {
        EvalReport onlyNone = EvalReport.of(List.of(o(null, null), o(null, "a")), List.of("a"));
        assertTrue(onlyNone.accuracy().isEmpty());
        assertEquals(0.5, onlyNone.outOfScopeRecall().getAsDouble(), EPS);
        assertTrue(onlyNone.macroF1().isEmpty());
        EvalReport onlyRoutes = EvalReport.of(List.of(o("a", "a")), List.of("a"));
        assertTrue(onlyRoutes.outOfScopeRecall().isEmpty());
        assertEquals(1.0, onlyRoutes.accuracy().getAsDouble(), EPS);
    }
}
