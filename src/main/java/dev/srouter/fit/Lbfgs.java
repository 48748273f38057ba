package dev.srouter.fit;

/**
 * Limited-memory BFGS (Nocedal and Wright, "Numerical Optimization", 2nd ed., algorithm 7.4 and
 * 7.5) with a backtracking line search on the Armijo condition, for smooth convex objectives such
 * as the softmax regression of {@link SoftmaxRegression}. Deterministic: the same objective and
 * start give the same iterates.
 */
final class Lbfgs {
    /** The objective: writes the gradient at {@code x} into {@code gradient} and returns the value. */
    interface Objective {
        double evaluate(double[] x, double[] gradient);
    }

    /** @param iterations iterations run; {@code converged} whether the gradient test was met before the limit */
    record Result(double[] x, double value, int iterations, int evaluations, boolean converged) {}

    private final int memory;
    private final int maxIterations;
    private final double gradientTolerance;

    /**
     * @param memory correction pairs kept (5 to 20 is usual)
     * @param gradientTolerance stop when the gradient's max norm is below this times max(1, |x|max)
     */
    Lbfgs(int memory, int maxIterations, double gradientTolerance) {
        this.memory = memory;
        this.maxIterations = maxIterations;
        this.gradientTolerance = gradientTolerance;
    }

    Result minimize(Objective f, double[] start) {
        int n = start.length;
        double[] x = start.clone();
        double[] g = new double[n];
        double fx = f.evaluate(x, g);
        int evaluations = 1;
        double[][] s = new double[memory][];
        double[][] y = new double[memory][];
        double[] rho = new double[memory];
        double[] alpha = new double[memory];
        int stored = 0;
        int newest = -1;
        double[] direction = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        int iteration = 0;
        boolean converged = converged(x, g);
        while (!converged && iteration < maxIterations) {
            // Two-loop recursion: direction = -H g.
            System.arraycopy(g, 0, direction, 0, n);
            for (int k = 0; k < stored; k++) {
                int i = Math.floorMod(newest - k, memory);
                alpha[i] = rho[i] * dot(s[i], direction);
                axpy(-alpha[i], y[i], direction);
            }
            if (stored > 0) {
                scale(dot(s[newest], y[newest]) / dot(y[newest], y[newest]), direction);
            } else {
                scale(1 / Math.max(1e-12, norm(g)), direction);
            }
            for (int k = stored - 1; k >= 0; k--) {
                int i = Math.floorMod(newest - k, memory);
                double beta = rho[i] * dot(y[i], direction);
                axpy(alpha[i] - beta, s[i], direction);
            }
            scale(-1, direction);
            double slope = dot(g, direction);
            if (slope >= 0) { // not a descent direction (numerical trouble): restart from the gradient
                for (int j = 0; j < n; j++) {
                    direction[j] = -g[j];
                }
                slope = dot(g, direction);
                stored = 0;
            }
            double step = 1;
            double fNew;
            while (true) {
                for (int j = 0; j < n; j++) {
                    xNew[j] = x[j] + step * direction[j];
                }
                fNew = f.evaluate(xNew, gNew);
                evaluations++;
                if (fNew <= fx + 1e-4 * step * slope || step < 1e-10) {
                    break;
                }
                step *= 0.5;
            }
            iteration++;
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int j = 0; j < n; j++) {
                sk[j] = xNew[j] - x[j];
                yk[j] = gNew[j] - g[j];
            }
            double sy = dot(sk, yk);
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            boolean progress = fx - fNew > 1e-12 * Math.max(1, Math.abs(fx));
            fx = fNew;
            if (sy > 1e-12) { // keep only pairs of positive curvature, so H stays positive definite
                newest = (newest + 1) % memory;
                s[newest] = sk;
                y[newest] = yk;
                rho[newest] = 1 / sy;
                stored = Math.min(stored + 1, memory);
            }
            converged = converged(x, g) || !progress;
        }
        return new Result(x, fx, iteration, evaluations, converged);
    }

    private boolean converged(double[] x, double[] g) {
        double gmax = 0;
        double xmax = 1;
        for (int j = 0; j < x.length; j++) {
            gmax = Math.max(gmax, Math.abs(g[j]));
            xmax = Math.max(xmax, Math.abs(x[j]));
        }
        return gmax <= gradientTolerance * xmax;
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double a, double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }
}
