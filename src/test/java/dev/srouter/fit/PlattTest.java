package dev.srouter.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PlattTest {
    @Test
    void recoversTheLogisticMapTheDataWereDrawnFrom() {
        // right with probability 1 / (1 + exp(-(6 s - 3))) for s uniform in [0, 1]
        Random random = new Random(3);
        int n = 200_000;
        double[] s = new double[n];
        boolean[] right = new boolean[n];
        for (int i = 0; i < n; i++) {
            s[i] = random.nextDouble();
            right[i] = random.nextDouble() < 1 / (1 + Math.exp(-(6 * s[i] - 3)));
        }

        Platt p = Platt.fit(s, right);

        assertEquals(6, p.a(), 0.1);
        assertEquals(-3, p.b(), 0.06);
        assertEquals(0.5, p.probability(0.5), 0.01);
        assertEquals(0.5, p.scoreAt(p.probability(0.5)), 1e-9);
    }

    @Test
    void separableDataGiveFiniteWeights() {
        Platt p = Platt.fit(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true});

        assertTrue(Double.isFinite(p.a()) && p.a() > 0, p.toString());
        assertTrue(p.probability(0.9) < 1 && p.probability(0.1) > 0, p.toString());
    }

    @Test
    void separableScoresOfAWideRangeReachTheOptimumWherePlainNewtonDiverged() {
        // Standardised rejection scores of a small fit: nine right answers near 0, three wrong ones far below.
        double[] s = {0.4, -0.3, 1.1, 0.2, -0.9, 0.7, 1.6, -1.2, 0.1, -4.8, -3.9, -6.2};
        boolean[] right = {true, true, true, true, true, true, true, true, true, false, false, false};

        Platt p = Platt.fit(s, right);

        assertTrue(Double.isFinite(p.a()) && p.a() > 0 && p.a() < 100, p.toString());
        // The optimum of the smoothed likelihood: its gradient in a and b is zero.
        double hi = 10.0 / 11, lo = 1.0 / 5, ga = 0, gb = 0;
        for (int i = 0; i < s.length; i++) {
            double e = p.probability(s[i]) - (right[i] ? hi : lo);
            ga += e * s[i];
            gb += e;
        }
        assertEquals(0, ga, 1e-6);
        assertEquals(0, gb, 1e-6);
        assertTrue(p.probability(-1.2) > 0.5 && p.probability(-4.8) < 0.5, p.toString());
    }

    @Test
    void scoresWhoseWrongAnswersRankHigherGiveOneConfidenceNotAFallingMap() {
        // Five right answers at low scores, one wrong one above them all: the unconstrained optimum has a < 0.
        double[] s = {0.1, 0.2, 0.3, 0.35, 0.4, 0.9};
        boolean[] right = {true, true, true, true, true, false};

        Platt p = Platt.fit(s, right);

        assertEquals(0, p.a(), 0.0, p.toString());
        // The mean of the smoothed targets: five at 6/7, one at 1/3.
        double mean = (5 * 6.0 / 7 + 1.0 / 3) / 6;
        assertEquals(mean, p.probability(0.1), 1e-12);
        assertEquals(mean, p.probability(0.9), 1e-12);
    }
}
