package dev.srouter.fit;

import java.util.List;

/**
 * How typical a text is of each route: the squared Mahalanobis distance of its embedding from the
 * route's centre (the mean of the route's utterances) under one covariance shared by every route,
 * the pooled scatter of the utterances about their routes' centres. The covariance is shrunk towards
 * a multiple of the identity by the Ledoit-Wolf estimate of the best shrinkage (Ledoit and Wolf,
 * "A well-conditioned estimator for large-dimensional covariance matrices", 2004; the formula of
 * scikit-learn's {@code ledoit_wolf_shrinkage}), so that it stays invertible with fewer utterances
 * than dimensions. Lee et al. (2018) and Podolskiy et al. (2021, "Revisiting Mahalanobis Distance for
 * Transformer-Based Out-of-Domain Detection") found this distance the better signal of out-of-scope
 * text on sentence embeddings, CLINC150 among them; on CLINC150's val it rejected better than the best
 * similarity beside the head's probability (docs/benchmarks.md).
 *
 * <p>Stored whitened: with {@code Σ = L·Lᵀ} (Cholesky), a text's distance from route k is
 * {@code |L⁻¹x − L⁻¹μₖ|²}, so {@link #whiten} runs once per text and each route costs one pass over
 * the dimensions.
 */
public final class Typicality {
    private final int dimension;
    /** {@code L⁻¹}, lower triangular, packed by rows: row i is its first i + 1 entries, from {@code i(i+1)/2}. */
    private final float[] whitening;
    /** The routes' centres whitened, route-major: {@code [k * dimension + j]}. */
    private final float[] centres;
    private final double shrinkage;

    public Typicality(int dimension, float[] whitening, float[] centres, double shrinkage) {
        if (dimension < 1 || whitening.length != packedLength(dimension) || centres.length == 0 || centres.length % dimension != 0) {
            throw new IllegalArgumentException("a whitening of " + whitening.length + " values and centres of " + centres.length
                    + " do not fit dimension " + dimension);
        }
        this.dimension = dimension;
        this.whitening = whitening;
        this.centres = centres;
        this.shrinkage = shrinkage;
    }

    static int packedLength(int dimension) {
        return dimension * (dimension + 1) / 2;
    }

    /**
     * @param routes each route's utterance vectors, in route order (each route at least one)
     */
    public static Typicality fit(List<float[][]> routes) {
        int d = routes.get(0)[0].length;
        int k = routes.size();
        double[][] centre = new double[k][d];
        int n = 0;
        for (int r = 0; r < k; r++) {
            float[][] xs = routes.get(r);
            for (float[] x : xs) {
                for (int j = 0; j < d; j++) {
                    centre[r][j] += x[j];
                }
            }
            for (int j = 0; j < d; j++) {
                centre[r][j] /= xs.length;
            }
            n += xs.length;
        }
        // The pooled scatter (lower triangle), and sum |residual|⁴ for the Ledoit-Wolf estimate.
        double[][] cov = new double[d][];
        for (int i = 0; i < d; i++) {
            cov[i] = new double[i + 1];
        }
        double fourth = 0;
        double[] res = new double[d];
        for (int r = 0; r < k; r++) {
            for (float[] x : routes.get(r)) {
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    res[j] = x[j] - centre[r][j];
                    sq += res[j] * res[j];
                }
                fourth += sq * sq;
                for (int i = 0; i < d; i++) {
                    double ri = res[i];
                    double[] row = cov[i];
                    for (int j = 0; j <= i; j++) {
                        row[j] += ri * res[j];
                    }
                }
            }
        }
        double trace = 0;
        double frobenius = 0; // |S|² over the full matrix
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                cov[i][j] /= n;
                frobenius += (i == j ? 1 : 2) * cov[i][j] * cov[i][j];
            }
            trace += cov[i][i];
        }
        double shrinkage;
        double mu;
        if (trace <= 0) {
            // No route has two different utterances: no scatter to learn from, so the distance is Euclidean.
            shrinkage = 1;
            mu = 1;
        } else {
            mu = trace / d;
            shrinkage = ledoitWolf(n, d, fourth, frobenius, trace);
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                cov[i][j] *= 1 - shrinkage;
            }
            cov[i][i] += shrinkage * mu;
        }
        double[][] inverse = invertLower(cholesky(cov));
        float[] whitening = new float[packedLength(d)];
        for (int i = 0, o = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                whitening[o++] = (float) inverse[i][j];
            }
        }
        float[] centres = new float[k * d];
        for (int r = 0; r < k; r++) {
            for (int i = 0; i < d; i++) {
                double s = 0;
                for (int j = 0; j <= i; j++) {
                    s += inverse[i][j] * centre[r][j];
                }
                centres[r * d + i] = (float) s;
            }
        }
        return new Typicality(d, whitening, centres, shrinkage);
    }

    /**
     * The Ledoit-Wolf shrinkage of the sample covariance {@code S} of {@code n} centred samples towards
     * {@code (tr S / d)·I}, in [0, 1].
     *
     * @param fourth the sum over samples of {@code |x|⁴}
     * @param frobenius {@code |S|²}, the sum of its squared entries
     * @param trace {@code tr S}
     */
    static double ledoitWolf(int n, int d, double fourth, double frobenius, double trace) {
        double mu = trace / d;
        double beta = (fourth / n - frobenius) / ((double) d * n);
        double delta = (frobenius - 2 * mu * trace + d * mu * mu) / d;
        beta = Math.min(beta, delta);
        return delta <= 0 ? 1 : Math.max(0, beta / delta);
    }

    /** The Cholesky factor of a symmetric positive-definite matrix given by its lower triangle. */
    static double[][] cholesky(double[][] a) {
        int d = a.length;
        double[][] l = new double[d][];
        for (int i = 0; i < d; i++) {
            l[i] = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int m = 0; m < j; m++) {
                    s -= l[i][m] * l[j][m];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException("the covariance is not positive definite at row " + i);
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    /** The inverse of a lower-triangular matrix (lower triangles, row by row), by forward substitution. */
    static double[][] invertLower(double[][] l) {
        int d = l.length;
        double[][] inv = new double[d][];
        for (int i = 0; i < d; i++) {
            inv[i] = new double[i + 1];
        }
        for (int c = 0; c < d; c++) {
            for (int i = c; i < d; i++) {
                double s = i == c ? 1 : 0;
                for (int m = c; m < i; m++) {
                    s -= l[i][m] * inv[m][c];
                }
                inv[i][c] = s / l[i][i];
            }
        }
        return inv;
    }

    /** {@code L⁻¹x}. */
    public float[] whiten(float[] x) {
        float[] y = new float[dimension];
        for (int i = 0, o = 0; i < dimension; i++) {
            float s = 0;
            for (int j = 0; j <= i; j++) {
                s += whitening[o + j] * x[j];
            }
            y[i] = s;
            o += i + 1;
        }
        return y;
    }

    /** The squared Mahalanobis distance of a whitened text from route {@code route}'s centre. */
    public double distance(float[] whitened, int route) {
        int o = route * dimension;
        float s = 0;
        for (int j = 0; j < dimension; j++) {
            float t = whitened[j] - centres[o + j];
            s += t * t;
        }
        return s;
    }

    public int dimension() {
        return dimension;
    }

    public int routes() {
        return centres.length / dimension;
    }

    public float[] whitening() {
        return whitening;
    }

    public float[] centres() {
        return centres;
    }

    /** The Ledoit-Wolf weight of the identity in the covariance, in [0, 1]. */
    public double shrinkage() {
        return shrinkage;
    }
}
