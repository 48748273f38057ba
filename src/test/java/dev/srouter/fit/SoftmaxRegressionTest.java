package dev.srouter.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxRegressionTest {
    /**
     * Two classes, one feature, the points x = +1 (class 1) and x = -1 (class 0): by symmetry the
     * weights are w for class 1, -w for class 0 and no bias, and the mean loss
     * log(1 + exp(-2w)) + lambda w^2 is least where 2 sigmoid(-2w) = 2 lambda w, whose root bisection finds.
     */
    @Test
    void matchesTheKnownSolutionOfASymmetricTwoPointProblem() {
        double lambda = 0.1;
        SoftmaxRegression.Model m = SoftmaxRegression.train(new float[][] {{1}, {-1}}, new int[] {1, 0}, 2, lambda, null, 200);

        double lo = 0;
        double hi = 10;
        for (int i = 0; i < 200; i++) {
            double w = (lo + hi) / 2;
            double slope = -2 / (1 + Math.exp(2 * w)) + 2 * lambda * w;
            if (slope > 0) {
                hi = w;
            } else {
                lo = w;
            }
        }
        double w = (lo + hi) / 2;
        // weights are [class][feature, bias]
        assertArrayEquals(new double[] {-w, 0, w, 0}, m.weights(), 1e-4);
    }

    /** Sizes that take every path of the kernels: whole groups of four classes and examples, and the rest. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"300, 4", "301, 7", "45, 3"})
    void theGradientVanishesAtTheOptimumOfARandomProblem(int n, int classes) {
        Random random = new Random(7);
        int d = 5;
        float[][] x = new float[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (random.nextGaussian() + (j == y[i] ? 1.5 : 0));
            }
        }
        double lambda = 1e-3;
        SoftmaxRegression.Model m = SoftmaxRegression.train(x, y, classes, lambda, null, 500);

        // The gradient of the objective, computed here independently, is ~0 at the returned weights.
        double[] g = new double[m.weights().length];
        for (int i = 0; i < n; i++) {
            double[] p = m.probabilities(x[i]);
            for (int k = 0; k < classes; k++) {
                double err = p[k] - (k == y[i] ? 1 : 0);
                for (int j = 0; j < d; j++) {
                    g[k * (d + 1) + j] += err * x[i][j] / n;
                }
                g[k * (d + 1) + d] += err / n;
            }
        }
        for (int k = 0; k < classes; k++) {
            for (int j = 0; j < d; j++) {
                g[k * (d + 1) + j] += lambda * m.weights()[k * (d + 1) + j];
            }
        }
        for (double v : g) {
            assertEquals(0, v, 1e-4);
        }
    }

    @Test
    void trainingIsReproducible() {
        float[][] x = new float[600][3];
        int[] y = new int[600];
        Random random = new Random(1);
        for (int i = 0; i < x.length; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) random.nextGaussian() + (j == y[i] ? 1 : 0);
            }
        }
        assertArrayEquals(SoftmaxRegression.train(x, y, 3, 1e-4, null, 100).weights(), SoftmaxRegression.train(x, y, 3, 1e-4, null, 100).weights());
    }
}
