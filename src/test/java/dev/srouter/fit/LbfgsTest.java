package dev.srouter.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LbfgsTest {
    @Test
    void findsTheMinimumOfRosenbrocksFunction() {
        // f(x, y) = (1 - x)^2 + 100 (y - x^2)^2: a curved valley, minimum 0 at (1, 1).
        Lbfgs.Objective rosenbrock = (x, g) -> {
            double a = 1 - x[0];
            double b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        };

        Lbfgs.Result r = new Lbfgs(10, 500, 1e-9).minimize(rosenbrock, new double[] {-1.2, 1});

        assertTrue(r.converged(), "converged in " + r.iterations());
        assertArrayEquals(new double[] {1, 1}, r.x(), 1e-5);
        assertEquals(0, r.value(), 1e-10);
    }

    @Test
    void solvesAQuadraticAsTheLinearSystemItIs() {
        // f(x) = x'Ax/2 - b'x with A = [[4,1],[1,3]], b = (1,2): the minimum solves Ax = b, x = (1/11, 7/11).
        Lbfgs.Objective quadratic = (x, g) -> {
            g[0] = 4 * x[0] + x[1] - 1;
            g[1] = x[0] + 3 * x[1] - 2;
            return 0.5 * (4 * x[0] * x[0] + 2 * x[0] * x[1] + 3 * x[1] * x[1]) - x[0] - 2 * x[1];
        };

        Lbfgs.Result r = new Lbfgs(5, 100, 1e-12).minimize(quadratic, new double[] {10, -10});

        assertArrayEquals(new double[] {1.0 / 11, 7.0 / 11}, r.x(), 1e-9);
    }

    @Test
    void startingAtTheMinimumTakesNoStep() {
        Lbfgs.Objective bowl = (x, g) -> {
            g[0] = 2 * x[0];
            return x[0] * x[0];
        };

        Lbfgs.Result r = new Lbfgs(5, 100, 1e-12).minimize(bowl, new double[] {0});

        assertEquals(0, r.iterations());
        assertEquals(1, r.evaluations());
    }
}
