package dev.srouter.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srouter.core.Aggregation;
import dev.srouter.core.Hit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kNN decision's global threshold that {@code fit} writes. */
class FitterThresholdTest {
    private static Fitter.Query query(String label, String nearest, double similarity) {
        return new Fitter.Query(label, new float[0], List.of(new Hit(nearest, "an utterance of " + nearest, similarity)));
    }

    @Test
    void ofThresholdsThatAllSeparateTheQueriesTheMiddleOneIsWritten() {
        // In scope at best similarities 0.90 and 0.80, out of scope at 0.30 and 0.20: every threshold from 0.31 to 0.80
        // answers both and rejects both. The lowest would barely stop the 0.30 query; the middle one is 0.55.
        List<Fitter.Query> validation = List.of(query("a", "a", 0.90), query("b", "b", 0.80), query(null, "a", 0.30), query(null, "b", 0.20));

        assertEquals(0.55, Fitter.bestGlobal(validation, Aggregation.SUM, 2, Fitter.Objective.BALANCED), 1e-12);
    }

    @Test
    void theMiddleIsTakenOfTheBestRunOnly() {
        // A wrong answer at 0.70 is wrong whether it passes or not, so 0.31..0.80 all score the same; a threshold above
        // 0.80 loses the right 0.80 answer.
        List<Fitter.Query> validation = List.of(query("a", "a", 0.90), query("b", "b", 0.80), query("b", "a", 0.70), query(null, "a", 0.30));

        assertEquals(0.55, Fitter.bestGlobal(validation, Aggregation.SUM, 1, Fitter.Objective.BALANCED), 1e-12);
    }

    @Test
    void aRunOfOneThresholdIsThatThreshold() {
        // Out of scope at 0.50, in scope at 0.51: only 0.51 answers one and rejects the other.
        List<Fitter.Query> validation = List.of(query("a", "a", 0.51), query(null, "a", 0.50));

        assertEquals(0.51, Fitter.bestGlobal(validation, Aggregation.SUM, 1, Fitter.Objective.BALANCED), 1e-12);
    }

    @Test
    void aMinimumRecallTakesTheMiddleOfItsBestRunToo() {
        // Recall 1 needs a threshold above 0.60; the most accuracy with it keeps 0.90 answered: 0.61..0.90, middle 0.75.
        List<Fitter.Query> validation = List.of(query("a", "a", 0.90), query("b", "b", 0.40), query(null, "a", 0.60));

        assertEquals(0.75, Fitter.bestGlobal(validation, Aggregation.SUM, 1, new Fitter.Objective(1.0)), 1e-12);
    }
}
