package dev.srouter.fit;

/**
 * Platt scaling: {@code P(right | r) = 1 / (1 + exp(-(a r + b)))}, fitted by Newton's method on
 * the log-likelihood of examples (score, right or wrong), with Platt's smoothed targets
 * ({@code (n+ + 1)/(n+ + 2)} and {@code 1/(n- + 2)}) so that separable data give finite weights.
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
        double a = 1;
        double b = 0;
        for (int iteration = 0; iteration < 100; iteration++) {
            double ga = 0;
            double gb = 0;
            double haa = 1e-12;
            double hab = 0;
            double hbb = 1e-12;
            for (int i = 0; i < scores.length; i++) {
                double t = right[i] ? hi : lo;
                double p = 1 / (1 + Math.exp(-(a * scores[i] + b)));
                double e = p - t;
                ga += e * scores[i];
                gb += e;
                double w = p * (1 - p);
                haa += w * scores[i] * scores[i];
                hab += w * scores[i];
                hbb += w;
            }
            double det = haa * hbb - hab * hab;
            double da = (hbb * ga - hab * gb) / det;
            double db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if (Math.abs(da) + Math.abs(db) < 1e-10) {
                break;
            }
        }
        return new Platt(a, b);
    }
}
