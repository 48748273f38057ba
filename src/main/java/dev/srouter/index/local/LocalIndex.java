package dev.srouter.index.local;

import dev.srouter.core.Hit;
import dev.srouter.core.Route;
import dev.srouter.core.RouteSet;
import dev.srouter.core.SrouterException;
import dev.srouter.encoder.Encoder;
import dev.srouter.index.VectorIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The default index: every utterance vector in one flat array in memory, searched exhaustively.
 * Exact, and at a few thousand utterances faster than any approximate structure would be.
 */
public final class LocalIndex implements VectorIndex {
    private final int dimension;
    private final float[] vectors; // row-major, one row per utterance
    private final String[] routes;
    private final String[] utterances;

    public LocalIndex(int dimension, List<String> routes, List<String> utterances, List<float[]> vectors) {
        if (routes.size() != utterances.size() || routes.size() != vectors.size()) {
            throw new IllegalArgumentException("routes, utterances and vectors differ in length");
        }
        this.dimension = dimension;
        this.routes = routes.toArray(String[]::new);
        this.utterances = utterances.toArray(String[]::new);
        this.vectors = new float[vectors.size() * dimension];
        for (int i = 0; i < vectors.size(); i++) {
            float[] v = vectors.get(i);
            if (v.length != dimension) {
                throw SrouterException.failure("encoder returned a vector of dimension " + v.length + ", expected " + dimension);
            }
            System.arraycopy(v, 0, this.vectors, i * dimension, dimension);
        }
    }

    /** Embeds every utterance of {@code routeSet} (through the cache, when the encoder has one). */
    public static LocalIndex build(RouteSet routeSet, Encoder encoder) {
        List<String> routeNames = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Route r : routeSet.routes()) {
            for (String u : r.utterances()) {
                routeNames.add(r.name());
                texts.add(u);
            }
        }
        List<float[]> vectors = encoder.encode(texts);
        int dim = vectors.isEmpty() ? Math.max(encoder.dimension(), 0) : vectors.get(0).length;
        return new LocalIndex(dim, routeNames, texts, vectors);
    }

    @Override
    public List<Hit> query(float[] vector, int topK, Set<String> routeFilter) {
        if (vector.length != dimension && routes.length > 0) {
            throw SrouterException.failure("query vector has dimension " + vector.length + ", the index holds " + dimension);
        }
        int k = Math.max(1, topK);
        // Min-heap of the best k rows so far: O(n log k).
        PriorityQueue<double[]> best = new PriorityQueue<>(k + 1, (a, b) -> Double.compare(a[0], b[0]));
        for (int row = 0; row < routes.length; row++) {
            if (!routeFilter.isEmpty() && !routeFilter.contains(routes[row])) {
                continue;
            }
            double dot = 0;
            int base = row * dimension;
            for (int j = 0; j < dimension; j++) {
                dot += vector[j] * vectors[base + j];
            }
            if (best.size() < k) {
                best.add(new double[] {dot, row});
            } else if (dot > best.peek()[0]) {
                best.poll();
                best.add(new double[] {dot, row});
            }
        }
        List<Hit> hits = new ArrayList<>(best.size());
        while (!best.isEmpty()) {
            double[] e = best.poll();
            int row = (int) e[1];
            hits.add(new Hit(routes[row], utterances[row], e[0]));
        }
        java.util.Collections.reverse(hits);
        return hits;
    }

    @Override
    public int size() {
        return routes.length;
    }

    @Override
    public int dimension() {
        return dimension;
    }
}
