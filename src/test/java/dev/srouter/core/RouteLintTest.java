package dev.srouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.RouteLint.CloseRoutes;
import dev.srouter.core.RouteLint.Duplicate;
import dev.srouter.core.RouteLint.FewUtterances;
import dev.srouter.core.RouteLint.Kind;
import dev.srouter.core.RouteLint.Misplaced;
import dev.srouter.core.RouteLint.Report;
import dev.srouter.core.RouteLint.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteLint} on hand-made vectors whose similarities are known exactly: rows of a 16 × 16 Hadamard matrix
 * scaled to unit length (components ±1/4, mutually orthogonal), with some signs flipped. Flipping k signs of a row
 * gives a vector whose cosine with the row is 1 - k/8, exactly representable, so thresholds can be tested at the
 * boundary.
 */
class RouteLintTest {
    private static final int DIM = 16;

    /** Row {@code row} of the Sylvester-Hadamard matrix over 16 dimensions, unit length, with the signs at {@code flips} flipped. */
    private static float[] h(int row, int... flips) {
        float[] v = new float[DIM];
        for (int m = 0; m < DIM; m++) {
            v[m] = Integer.bitCount(row & m) % 2 == 0 ? 0.25f : -0.25f;
        }
        for (int f : flips) {
            v[f] = -v[f];
        }
        return v;
    }

    private static float[] e(int axis, float length) {
        float[] v = new float[DIM];
        v[axis] = length;
        return v;
    }

    /** Routes in insertion order, each with its utterances and vectors. */
    private static final class Fixture {
        final Map<String, List<String>> texts = new LinkedHashMap<>();
        final List<Utterance> utterances = new ArrayList<>();
        final List<float[]> vectors = new ArrayList<>();

        Fixture add(String route, String text, float[] vector) {
            texts.computeIfAbsent(route, r -> new ArrayList<>()).add(text);
            utterances.add(new Utterance(route, text));
            vectors.add(vector);
            return this;
        }

        Report lint(Settings settings) {
            return RouteLint.analyse(List.copyOf(texts.keySet()), utterances, vectors, settings);
        }
    }

    @Test
    void theHadamardVectorsHaveTheSimilaritiesTheTestsAssume() {
        Fixture f = new Fixture().add("x", "row", h(1)).add("y", "one flip", h(1, 0)).add("z", "two flips", h(1, 0, 1))
                .add("w", "other row", h(2));
        Report r = f.lint(new Settings(0.01, 1.0, 0));
        Map<String, Double> sims = new LinkedHashMap<>();
        for (Duplicate d : r.of(Duplicate.class)) {
            sims.put(d.first().text() + " / " + d.second().text(), d.similarity());
        }
        assertEquals(0.875, sims.get("row / one flip"), 0.0);
        assertEquals(0.75, sims.get("row / two flips"), 0.0);
        assertEquals(0.875, sims.get("one flip / two flips"), 0.0);
        assertNull(sims.get("row / other row"), "orthogonal rows (0) are below 0.01: " + sims);
    }

    @Test
    void anUtteranceWhoseNearestIsInAnotherRouteIsMisplacedAndNothingElseIs() {
        Fixture f = new Fixture()
                .add("a", "a0", h(1)).add("a", "a1", h(1, 0)).add("a", "a2", h(1, 1))
                .add("b", "b0", h(2)).add("b", "b1", h(2, 0)).add("b", "b2", h(2, 1))
                // 0.625 to a0, 0.75 to a1 and to a2 (a tie: the first wins), at most 0.25 to b's.
                .add("b", "stray", h(1, 0, 1, 2));
        Report r = f.lint(new Settings(0.95, 0.85, 3));

        assertEquals(List.of(new Misplaced(new Utterance("b", "stray"), new Utterance("a", "a1"), 0.75)), r.findings());
        assertEquals(Map.of(Kind.MISPLACED, 1, Kind.DUPLICATE, 0, Kind.CLOSE_ROUTES, 0, Kind.FEW_UTTERANCES, 0), r.counts());
        assertEquals(List.of("a", "b"), r.routes());
        assertEquals(7, r.utterances());
    }

    @Test
    void ofEquallyNearUtterancesTheFirstIsTheNeighbourWhereverTheyAre() {
        // The stray first, its two equally near candidates after it (found from the stray's own row) ...
        Fixture before = new Fixture().add("b", "stray", h(1, 0, 1, 2)).add("b", "b0", h(2)).add("b", "b1", h(2, 0))
                .add("a", "a0", h(1)).add("a", "a1", h(1, 0)).add("a", "a2", h(1, 1));
        assertEquals(List.of(new Misplaced(new Utterance("b", "stray"), new Utterance("a", "a1"), 0.75)),
                before.lint(new Settings(0.95, 0.85, 0)).of(Misplaced.class));
        // ... or last, its candidates before it (found from theirs), or one on each side of it.
        Fixture after = new Fixture().add("a", "a0", h(1)).add("a", "a1", h(1, 0)).add("a", "a2", h(1, 1))
                .add("b", "b0", h(2)).add("b", "b1", h(2, 0)).add("b", "stray", h(1, 0, 1, 2));
        assertEquals(List.of(new Misplaced(new Utterance("b", "stray"), new Utterance("a", "a1"), 0.75)),
                after.lint(new Settings(0.95, 0.85, 0)).of(Misplaced.class));
        Fixture between = new Fixture().add("a", "a0", h(1)).add("a", "a1", h(1, 0)).add("b", "b0", h(2)).add("b", "b1", h(2, 0))
                .add("b", "stray", h(1, 0, 1, 2)).add("a", "a2", h(1, 1));
        assertEquals(List.of(new Misplaced(new Utterance("b", "stray"), new Utterance("a", "a1"), 0.75)),
                between.lint(new Settings(0.95, 0.85, 0)).of(Misplaced.class));
    }

    @Test
    void fewUtterancesIsStrictlyFewerThanTheMinimum() {
        Fixture f = new Fixture();
        for (int i = 0; i < 5; i++) {
            f.add("five", "f" + i, h(1, i));
        }
        f.add("one", "o", h(2));
        f.add("four", "x0", h(4)).add("four", "x1", h(4, 0)).add("four", "x2", h(4, 1)).add("four", "x3", h(4, 2));
        Settings five = new Settings(0.95, 0.85, 5);
        assertEquals(List.of(new FewUtterances("one", 1, 5), new FewUtterances("four", 4, 5)), f.lint(five).of(FewUtterances.class));
        assertEquals(List.of(new FewUtterances("one", 1, 4)), f.lint(new Settings(0.95, 0.85, 4)).of(FewUtterances.class));
        assertEquals(List.of(), f.lint(new Settings(0.95, 0.85, 0)).of(FewUtterances.class));
    }

    @Test
    void aNamedRouteWithoutUtterancesHasFewAndTakesNoPartInTheRest() {
        Report r = RouteLint.analyse(List.of("empty", "a"), List.of(new Utterance("a", "x"), new Utterance("a", "y")),
                List.of(h(1), h(1, 0)), new Settings(0.95, 0.0, 1));
        assertEquals(List.of(new FewUtterances("empty", 0, 1)), r.findings());
    }

    @Test
    void duplicatesAreCrossRoutePairsAtOrAboveTheThreshold() {
        Fixture f = new Fixture().add("x", "row", h(1)).add("y", "one flip", h(1, 0)).add("z", "two flips", h(1, 0, 1))
                // within one route: never a duplicate, however close
                .add("x", "row, one flip elsewhere", h(1, 5));
        List<Duplicate> at = f.lint(new Settings(0.875, 1.0, 0)).of(Duplicate.class);
        assertEquals(List.of(
                new Duplicate(new Utterance("x", "row"), new Utterance("y", "one flip"), 0.875, false),
                new Duplicate(new Utterance("y", "one flip"), new Utterance("z", "two flips"), 0.875, false)), at);
        assertEquals(List.of(), f.lint(new Settings(0.8751, 1.0, 0)).of(Duplicate.class), "just above the similarity: none");
        assertEquals(3 + 1, f.lint(new Settings(0.75, 1.0, 0)).of(Duplicate.class).size(),
                "row/two flips (0.75) and 'row, one flip elsewhere' with y (0.75) join at 0.75");
    }

    @Test
    void theSameTextInTwoRoutesIsADuplicateWhateverItsSimilarity() {
        // Orthogonal vectors for one text: an encoder never does this, but the text alone makes it a duplicate.
        Fixture f = new Fixture().add("p", "same text", h(1)).add("p", "other", h(1, 0)).add("q", "same text", h(2))
                .add("q", "more", h(2, 0));
        List<Duplicate> d = f.lint(new Settings(0.95, 1.0, 0)).of(Duplicate.class);
        assertEquals(List.of(new Duplicate(new Utterance("p", "same text"), new Utterance("q", "same text"), 0.0, true)), d);
    }

    @Test
    void closeRoutesCompareCentroidsAtTheBoundary() {
        Fixture f = new Fixture().add("x", "row", h(1)).add("y", "two flips", h(1, 0, 1)).add("w", "far", h(2));
        assertEquals(List.of(new CloseRoutes("x", "y", 0.75)), f.lint(new Settings(1.0, 0.75, 0)).of(CloseRoutes.class));
        assertEquals(List.of(), f.lint(new Settings(1.0, 0.7501, 0)).of(CloseRoutes.class));
    }

    @Test
    void aCentroidIsTheMeanOfNormalizedVectors() {
        // m's utterances point along two axes with lengths 10 and 1: normalized first, their mean is the diagonal, which
        // is n's only utterance (cosine 1). The mean of the raw vectors would lean to the long one (cosine 0.77).
        float[] diagonal = new float[DIM];
        diagonal[0] = 1;
        diagonal[1] = 1;
        Fixture f = new Fixture().add("m", "long", e(0, 10)).add("m", "short", e(1, 1)).add("n", "diagonal", diagonal);
        List<CloseRoutes> close = f.lint(new Settings(1.0, 0.99, 0)).of(CloseRoutes.class);
        assertEquals(1, close.size(), close.toString());
        assertEquals("m", close.get(0).first());
        assertEquals("n", close.get(0).second());
        assertEquals(1.0, close.get(0).similarity(), 1e-6);
    }

    @Test
    void theCallersVectorsAreNotChanged() {
        float[] v = e(0, 3);
        RouteLint.analyse(List.of("a"), List.of(new Utterance("a", "x"), new Utterance("a", "y")), List.of(v, e(1, 2)), Settings.defaults());
        assertEquals(3f, v[0]);
    }

    @Test
    void mismatchedInputIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> RouteLint.analyse(List.of("a"), List.of(new Utterance("a", "x")), List.of(), Settings.defaults()));
        assertThrows(IllegalArgumentException.class, () -> RouteLint.analyse(List.of("a"),
                List.of(new Utterance("a", "x"), new Utterance("a", "y")), List.of(new float[3], new float[4]), Settings.defaults()));
    }

    @Test
    void kindsAreNamedAsOnTheCommandLine() {
        assertEquals(List.of("misplaced", "duplicate", "close-routes", "few-utterances"), Arrays.stream(Kind.values()).map(Kind::id).toList());
        assertEquals(Kind.CLOSE_ROUTES, Kind.byId("Close_Routes"));
        assertNull(Kind.byId("close"));
    }

    @Test
    void analyseOfARouteSetTakesVectorsInFileOrder() {
        RouteSet routes = RouteSet.of(List.of(Route.of("a", List.of("a0", "a1")), Route.of("b", List.of("b0"))));
        assertEquals(List.of(new Utterance("a", "a0"), new Utterance("a", "a1"), new Utterance("b", "b0")), routes.utterances());
        Report r = RouteLint.analyse(routes, List.of(h(1), h(2), h(1, 0)), new Settings(0.95, 1.0, 0));
        // a1 (row 2) is nearest to nothing in a; b0 (one flip of a0) is a0's nearest and vice versa.
        assertEquals(List.of(new Utterance("a", "a0"), new Utterance("b", "b0")),
                r.of(Misplaced.class).stream().map(Misplaced::utterance).toList());
        assertEquals(new Utterance("b", "b0"), r.of(Misplaced.class).get(0).neighbour());
    }

    @Test
    void aThresholdThatLetsThroughMoreThanTheMostPairsIsRefused() {
        Fixture same = new Fixture();
        for (int i = 0; i < 2 * 320; i++) {
            same.add(i % 2 == 0 ? "a" : "b", "u" + i, h(1)); // 320 × 320 = 102,400 pairs across the two routes
        }
        RouteLint.TooManyPairs d = assertThrows(RouteLint.TooManyPairs.class, () -> same.lint(new Settings(0.5, 1.0, 0)));
        assertEquals(Kind.DUPLICATE, d.kind());
        assertEquals(0.5, d.threshold());
        Fixture fewer = new Fixture();
        for (int i = 0; i < 2 * 310; i++) {
            fewer.add(i % 2 == 0 ? "a" : "b", "u" + i, h(1)); // 96,100 pairs: all reported
        }
        assertEquals(310 * 310, fewer.lint(new Settings(0.5, 1.0, 0)).count(Kind.DUPLICATE));

        Fixture routes = new Fixture();
        for (int i = 0; i < 460; i++) {
            float[] v = h(1);
            v[i % DIM] += 0.1f;
            routes.add("r" + i, "u" + i, v); // 460 × 459 / 2 = 105,570 pairs of routes, all above 0.9
        }
        RouteLint.TooManyPairs c = assertThrows(RouteLint.TooManyPairs.class, () -> routes.lint(new Settings(1.0, 0.5, 0)));
        assertEquals(Kind.CLOSE_ROUTES, c.kind());
    }

    /** All vectors equal, so every pair ties: across tiles and threads the first utterance still wins. */
    @Test
    void tiesAcrossTilesAndThreadsGoToTheFirstUtterance() {
        Fixture f = new Fixture();
        for (int i = 0; i < 600; i++) {
            f.add(i % 2 == 0 ? "a" : "b", "u" + i, h(1));
        }
        Report r = f.lint(new Settings(1.0, 1.0, 0));
        List<Misplaced> misplaced = r.of(Misplaced.class);
        assertEquals(301, misplaced.size(), "u0 (nearest u1) and every odd one (nearest u0)");
        assertEquals(new Utterance("b", "u1"), misplaced.get(0).neighbour());
        for (Misplaced m : misplaced.subList(1, misplaced.size())) {
            assertEquals(new Utterance("a", "u0"), m.neighbour(), m.toString());
        }
        assertEquals(300 * 300, r.count(Kind.DUPLICATE));
    }

    /**
     * Many utterances (more than one tile of rows and of columns, sizes that divide neither): the tiled, parallel
     * computation finds what a plain double loop finds.
     */
    @Test
    void theTiledComputationAgreesWithAPlainLoop() {
        Random rnd = new Random(42);
        int n = 613;
        int dim = 24;
        int routes = 7;
        List<Utterance> utterances = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            utterances.add(new Utterance("r" + rnd.nextInt(routes), "u" + i));
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = (float) rnd.nextGaussian();
            }
            vectors.add(v);
        }
        double duplicate = 0.6;
        Report r = RouteLint.analyse(List.of(), utterances, vectors, new Settings(duplicate, 1.0, 0));

        float[][] unit = new float[n][];
        for (int i = 0; i < n; i++) {
            unit[i] = vectors.get(i).clone();
            double norm = 0;
            for (float x : unit[i]) {
                norm += (double) x * x;
            }
            for (int d = 0; d < dim; d++) {
                unit[i][d] = (float) (unit[i][d] / Math.sqrt(norm));
            }
        }
        List<Utterance> misplaced = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double s = 0;
                for (int d = 0; d < dim; d++) {
                    s += (double) unit[i][d] * unit[j][d];
                }
                if (s > bestSim) {
                    bestSim = s;
                    best = j;
                }
                boolean cross = !utterances.get(i).route().equals(utterances.get(j).route());
                if (j > i && cross && s >= duplicate) {
                    duplicates.add(i + "-" + j);
                }
            }
            if (!utterances.get(best).route().equals(utterances.get(i).route())) {
                misplaced.add(utterances.get(i));
            }
        }
        assertTrue(misplaced.size() > 100 && duplicates.size() > 20, "the data exercise both: " + misplaced.size() + ", " + duplicates.size());
        assertEquals(misplaced, r.of(Misplaced.class).stream().map(Misplaced::utterance).toList());
        List<String> found = r.of(Duplicate.class).stream()
                .map(d -> utterances.indexOf(d.first()) + "-" + utterances.indexOf(d.second())).toList();
        assertEquals(duplicates, found);
    }
}
