package dev.srouter.fit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FitterObjectiveTest {
    private static double[] f(double accuracy, double recall) {
        return new double[] {accuracy, recall};
    }

    @Test
    void balancedComparesTheMeanOfAccuracyAndRecall() {
        Fitter.Objective o = Fitter.Objective.BALANCED;
        assertTrue(o.better(f(0.9, 0.8), f(0.95, 0.7), 10));
        assertFalse(o.better(f(0.9, 0.8), f(0.8, 0.9), 10), "an equal mean keeps the first");
        assertTrue(o.better(f(0.1, 0.0), null, 10), "anything beats nothing");
        assertTrue(o.better(f(0.9, 0.0), f(0.8, 1.0), 0), "without out-of-scope queries, accuracy alone");
    }

    @Test
    void aMinimumRecallPrefersFeasibleThenAccuracyThenRecall() {
        Fitter.Objective o = new Fitter.Objective(0.9);
        assertTrue(o.better(f(0.5, 0.9), f(0.99, 0.89), 10), "reaching the recall beats any accuracy below it");
        assertTrue(o.better(f(0.92, 0.9), f(0.91, 1.0), 10), "among those that reach it, the more accurate");
        assertTrue(o.better(f(0.92, 0.95), f(0.92, 0.9), 10), "equal accuracy: the higher recall");
        assertTrue(o.better(f(0.1, 0.8), f(0.9, 0.7), 10), "none reaches it: the highest recall");
        assertFalse(o.better(f(0.9, 0.7), f(0.1, 0.8), 10));
        assertTrue(o.better(f(0.9, 0.0), f(0.8, 1.0), 0), "without out-of-scope queries, accuracy alone");
    }

    @Test
    void aRecallOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Fitter.Objective(1.01));
        assertThrows(IllegalArgumentException.class, () -> new Fitter.Objective(-0.1));
    }
}
