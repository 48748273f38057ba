package dev.srouter.fit;

/**
 * Platt scaling: {@code P(right | r) = 1 / (1 + exp(-(a r + b)))}, fitted by Newton's method with a
 * line search on the log-likelihood of examples (score, right or wrong), with Platt's smoothed targets
 * ({@code (n+ + 1)/(n+ + 2)} and {@code 1/(n- + 2)}) so that separable data give finite weights. The map never
 * falls as the score rises ({@code a >= 0}): where the likelihood's optimum has {@code a < 0} (a few validation
 * queries whose wrong answers scored higher), the constrained optimum is {@code a = 0}, one confidence for every score.
 */
record Platt(double a, double b) {
    double probability(double score) {
        return 1 / (1 + Math.exp(-(a * score + b)));
    }

    /** The score at which the probability is {@code p} (the inverse map). */
    double scoreAt(double p) {
        return (Math.log(p / (1 - p)) - b) / a;
    }

    static Platt fit(double[] scores, boolean[] right) {
        int positives = 0;
        for (boolean r : right) {
            positives += r ? 1 : 0;
        }
        int negatives = right.length - positives;
        double hi = (positives + 1.0) / (positives + 2.0);
        double lo = 1.0 / (negatives + 2.0);
        double[] target = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            target[i] = right[i] ? hi : lo;
        }
        // Newton's method with a backtracking line search, as Lin, Lin and Weng ("A note on Platt's probabilistic
        // outputs for support vector machines", 2007) give it: plain Newton steps diverge on scores of a wide range.
        double a = 0;
        double b = Math.log((positives + 1.0) / (negatives + 1.0));
        double loss = loss(scores, target, a, b);
        for (int iteration = 0; iteration < 100; iteration++) {
            double ga = 0;
            double gb = 0;
            double haa = 1e-12;
            double hab = 0;
            double hbb = 1e-12;
            for (int i = 0; i < scores.length; i++) {
                double p = sigmoid(a * scores[i] + b);
                double e = p - target[i];
                ga += e * scores[i];
                gb += e;
                double w = p * (1 - p);
                haa += w * scores[i] * scores[i];
                hab += w * scores[i];
                hbb += w;
            }
            if (Math.abs(ga) < 1e-9 && Math.abs(gb) < 1e-9) {
                break;
            }
            double det = haa * hbb - hab * hab;
            double da = -(hbb * ga - hab * gb) / det;
            double db = -(haa * gb - hab * ga) / det;
            double slope = ga * da + gb * db;
            double step = 1;
            while (step >= 1e-10) {
                double next = loss(scores, target, a + step * da, b + step * db);
                if (next < loss + 1e-4 * step * slope) {
                    a += step * da;
                    b += step * db;
                    loss = next;
                    break;
                }
                step /= 2;
            }
            if (step < 1e-10) {
                break; // no step lowers the loss: at the optimum within rounding
            }
        }
        if (a < 0) {
            // The loss is convex, so with its optimum outside a >= 0 the constrained one lies on a = 0, where it is
            // the mean target.
            double mean = 0;
            for (double t : target) {
                mean += t / target.length;
            }
            return new Platt(0, Math.log(mean / (1 - mean)));
        }
        return new Platt(a, b);
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** The cross-entropy of the map {@code (a, b)} against the targets, computed without overflow. */
    private static double loss(double[] scores, double[] target, double a, double b) {
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double z = a * scores[i] + b;
            sum += z >= 0 ? (1 - target[i]) * z + Math.log1p(Math.exp(-z)) : -target[i] * z + Math.log1p(Math.exp(z));
        }
        return sum;
    }
}
