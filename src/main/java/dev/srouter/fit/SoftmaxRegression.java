package dev.srouter.fit;

import java.util.stream.IntStream;

/**
 * Multinomial logistic regression over fixed embeddings: {@code P(k | x) = softmax(W x + b)_k},
 * trained by minimising the mean cross-entropy plus {@code lambda/2 |W|^2} (the bias is not
 * penalised) with {@link Lbfgs}. The gradient is summed over fixed row blocks on all cores and
 * the blocks are added in order, so training is reproducible: the same data give the same weights.
 */
final class SoftmaxRegression {
    private static final int BLOCK = 256;
    private static final int TILE = 32;
    /** Errors below this leave the gradient alone (most classes, once training is under way). */
    private static final float SKIP = 1e-9f;

    private SoftmaxRegression() {}

    /** Weights of {@code classes} rows of {@code dimension + 1} values (the last is the bias). */
    record Model(int classes, int dimension, double[] weights, int iterations) {
        double[] logits(float[] x) {
            double[] z = new double[classes];
            int stride = dimension + 1;
            for (int k = 0; k < classes; k++) {
                int o = k * stride;
                double sum = weights[o + dimension];
                for (int j = 0; j < dimension; j++) {
                    sum += weights[o + j] * x[j];
                }
                z[k] = sum;
            }
            return z;
        }

        double[] probabilities(float[] x) {
            return softmax(logits(x));
        }
    }

    /**
     * @param x the examples (all of one dimension)
     * @param y each example's class in [0, classes)
     * @param warmStart weights to start from (same shape), or null for zeros
     */
    static Model train(float[][] x, int[] y, int classes, double lambda, Model warmStart, int maxIterations) {
        int n = x.length;
        int d = x[0].length;
        int stride = d + 1;
        // The inner loops run in float (twice the SIMD lanes of double); sums over examples are kept per
        // tile in float and added up in double, and the optimiser works in double.
        int blocks = (n + BLOCK - 1) / BLOCK;
        Lbfgs.Objective objective = (w, gradient) -> {
            double[][] blockGradients = new double[blocks][];
            double[] blockLoss = new double[blocks];
            float[] wf = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                wf[j] = (float) w[j];
            }
            IntStream.range(0, blocks).parallel().forEach(b -> {
                double[] g = new double[w.length];
                float[] gt = new float[w.length];
                float[] xt = new float[d * TILE];
                float[] acc = new float[4 * TILE];
                double loss = 0;
                double[][] z = new double[TILE][classes];
                // Tiles of TILE examples: each route's weight row is read once per tile and stays in cache.
                for (int from = b * BLOCK; from < Math.min(n, (b + 1) * BLOCK); from += TILE) {
                    int to = Math.min(Math.min(n, (b + 1) * BLOCK), from + TILE);
                    // The tile transposed (feature-major), so that each route's logits for the whole tile are
                    // TILE-wide multiply-adds the JIT vectorises, instead of one dot-product reduction per example.
                    int t = to - from;
                    for (int i = 0; i < t; i++) {
                        float[] xi = x[from + i];
                        for (int j = 0; j < d; j++) {
                            xt[j * TILE + i] = xi[j];
                        }
                    }
                    for (int k = 0; k < classes; k += 4) {
                        int group = Math.min(4, classes - k);
                        if (group == 4) {
                            tileLogits4(wf, k * stride, stride, xt, acc, d, TILE);
                        } else {
                            for (int c = 0; c < group; c++) {
                                tileLogits(wf, (k + c) * stride, xt, acc, c * TILE, d, TILE);
                            }
                        }
                        for (int c = 0; c < group; c++) {
                            double bias = w[(k + c) * stride + d];
                            for (int i = 0; i < t; i++) {
                                z[i][k + c] = bias + acc[c * TILE + i];
                            }
                        }
                    }
                    for (int i = from; i < to; i++) {
                        double[] zi = z[i - from];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int k = 0; k < classes; k++) {
                            max = Math.max(max, zi[k]);
                        }
                        double total = 0;
                        for (int k = 0; k < classes; k++) {
                            zi[k] = Math.exp(zi[k] - max);
                            total += zi[k];
                        }
                        loss -= Math.log(zi[y[i]] / total);
                        for (int k = 0; k < classes; k++) {
                            zi[k] = zi[k] / total - (k == y[i] ? 1 : 0); // now the error of class k
                        }
                    }
                    java.util.Arrays.fill(gt, 0);
                    for (int k = 0; k < classes; k++) {
                        int o = k * stride;
                        int i = from;
                        for (; i + 4 <= to; i += 4) {
                            float e0 = (float) z[i - from][k];
                            float e1 = (float) z[i + 1 - from][k];
                            float e2 = (float) z[i + 2 - from][k];
                            float e3 = (float) z[i + 3 - from][k];
                            // Four examples the class is far from: their share of the gradient is nil.
                            if (Math.max(Math.max(Math.abs(e0), Math.abs(e1)), Math.max(Math.abs(e2), Math.abs(e3))) < SKIP) {
                                continue;
                            }
                            axpy4(e0, x[i], e1, x[i + 1], e2, x[i + 2], e3, x[i + 3], gt, o, d);
                            gt[o + d] += (e0 + e1) + (e2 + e3);
                        }
                        for (; i < to; i++) {
                            float err = (float) z[i - from][k];
                            if (Math.abs(err) < SKIP) {
                                continue;
                            }
                            axpy(err, x[i], gt, o, d);
                            gt[o + d] += err;
                        }
                    }
                    for (int j = 0; j < g.length; j++) {
                        g[j] += gt[j];
                    }
                }
                blockGradients[b] = g;
                blockLoss[b] = loss;
            });
            java.util.Arrays.fill(gradient, 0);
            double loss = 0;
            for (int b = 0; b < blocks; b++) {
                loss += blockLoss[b];
                double[] g = blockGradients[b];
                for (int j = 0; j < g.length; j++) {
                    gradient[j] += g[j];
                }
            }
            double penalty = 0;
            for (int k = 0; k < classes; k++) {
                int o = k * stride;
                for (int j = 0; j < d; j++) {
                    gradient[o + j] = gradient[o + j] / n + lambda * w[o + j];
                    penalty += w[o + j] * w[o + j];
                }
                gradient[o + d] /= n;
            }
            return loss / n + 0.5 * lambda * penalty;
        };
        double[] start = warmStart != null ? warmStart.weights().clone() : new double[classes * stride];
        Lbfgs.Result r = new Lbfgs(10, maxIterations, 1e-5).minimize(objective, start);
        return new Model(classes, d, r.x(), r.iterations());
    }

    /* The two kernels, small methods on their own so that the JIT compiles and vectorises them whatever it makes of the
     * objective around them. */

    /** {@code acc[at + i] = w[o..o+d) . x_i} for the {@code tile} examples of the feature-major tile {@code xt}. */
    private static void tileLogits(float[] w, int o, float[] xt, float[] acc, int at, int d, int tile) {
        java.util.Arrays.fill(acc, at, at + tile, 0f);
        for (int j = 0; j < d; j++) {
            float wj = w[o + j];
            int base = j * tile;
            for (int i = 0; i < tile; i++) {
                acc[at + i] += wj * xt[base + i];
            }
        }
    }

    /**
     * {@link #tileLogits} for the four classes whose rows start at {@code o}, {@code o + stride}, ...: each value of the
     * tile is loaded once for four multiply-adds, into {@code acc[c * tile + i]}.
     */
    private static void tileLogits4(float[] w, int o, int stride, float[] xt, float[] acc, int d, int tile) {
        java.util.Arrays.fill(acc, 0, 4 * tile, 0f);
        for (int j = 0; j < d; j++) {
            float w0 = w[o + j];
            float w1 = w[o + stride + j];
            float w2 = w[o + 2 * stride + j];
            float w3 = w[o + 3 * stride + j];
            int base = j * tile;
            for (int i = 0; i < tile; i++) {
                float v = xt[base + i];
                acc[i] += w0 * v;
                acc[tile + i] += w1 * v;
                acc[2 * tile + i] += w2 * v;
                acc[3 * tile + i] += w3 * v;
            }
        }
    }

    /** {@code g[o..o+d) += a x}. */
    private static void axpy(float a, float[] x, float[] g, int o, int d) {
        for (int j = 0; j < d; j++) {
            g[o + j] += a * x[j];
        }
    }

    /** {@code g[o..o+d) += a0 x0 + a1 x1 + a2 x2 + a3 x3}: one load and store of {@code g} for four examples. */
    private static void axpy4(float a0, float[] x0, float a1, float[] x1, float a2, float[] x2, float a3, float[] x3, float[] g, int o, int d) {
        for (int j = 0; j < d; j++) {
            g[o + j] += (a0 * x0[j] + a1 * x1[j]) + (a2 * x2[j] + a3 * x3[j]);
        }
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double total = 0;
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] - max);
            total += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= total;
        }
        return p;
    }
}
