package dev.srouter.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.encoder.Encoder;
import dev.srouter.index.local.LocalIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalIndexTest {

    private static float[] unit(float... v) {
        return Encoder.normalize(v);
    }

    @Test
    void returnsTheKNearestByCosineNearestFirst() {
        LocalIndex index = new LocalIndex(2, List.of("r1", "r2", "r3"), List.of("east", "north", "north-east"),
                List.of(unit(1, 0), unit(0, 1), unit(1, 1)));
        List<Hit> hits = index.query(unit(1, 0.1f), 2, Set.of());
        assertEquals(List.of("east", "north-east"), hits.stream().map(Hit::utterance).toList());
        assertEquals(1 / Math.sqrt(1.01), hits.get(0).score(), 1e-6);
    }

    @Test
    void routeFilterRestrictsCandidates() {
        LocalIndex index = new LocalIndex(2, List.of("r1", "r2", "r3"), List.of("east", "north", "north-east"),
                List.of(unit(1, 0), unit(0, 1), unit(1, 1)));
        List<Hit> hits = index.query(unit(1, 0), 5, Set.of("r2"));
        assertEquals(List.of("north"), hits.stream().map(Hit::utterance).toList());
    }

    @Test
    void agreesWithABruteForceSortOnRandomData() {
        Random random = new Random(7);
        int n = 500;
        int dim = 16;
        List<String> routes = new ArrayList<>();
        List<String> utterances = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (int j = 0; j < dim; j++) {
                v[j] = (float) random.nextGaussian();
            }
            routes.add("r" + (i % 7));
            utterances.add("u" + i);
            vectors.add(unit(v));
        }
        LocalIndex index = new LocalIndex(dim, routes, utterances, vectors);
        float[] q = vectors.get(123).clone();
        q[0] += 0.3f;
        unit(q);
        List<Hit> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int j = 0; j < dim; j++) {
                dot += q[j] * vectors.get(i)[j];
            }
            expected.add(new Hit(routes.get(i), utterances.get(i), dot));
        }
        expected.sort(Comparator.comparingDouble(Hit::score).reversed());
        List<Hit> got = index.query(q, 10, Set.of());
        assertEquals(expected.subList(0, 10).stream().map(Hit::utterance).toList(), got.stream().map(Hit::utterance).toList());
        assertEquals("u123", got.get(0).utterance());
    }

    @Test
    void rejectsAVectorOfAnotherDimension() {
        assertThrows(SrouterException.class, () -> new LocalIndex(3, List.of("r"), List.of("u"), List.of(unit(1, 0))));
        LocalIndex index = new LocalIndex(2, List.of("r"), List.of("u"), List.of(unit(1, 0)));
        assertThrows(SrouterException.class, () -> index.query(unit(1, 0, 0), 1, Set.of()));
    }

    @Test
    void aBatchGetsTheSameAnswersAsOneQueryAtATime() {
        Random random = new Random(11);
        int dim = 12;
        List<String> routes = new ArrayList<>();
        List<String> utterances = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            routes.add("r" + (i % 5));
            utterances.add("u" + i);
            vectors.add(unit(randomVector(random, dim)));
        }
        LocalIndex index = new LocalIndex(dim, routes, utterances, vectors);
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 37; i++) { // more than one block, and not a multiple of it
            queries.add(unit(randomVector(random, dim)));
        }
        for (Set<String> filter : List.of(Set.<String>of(), Set.of("r1", "r3"))) {
            List<List<Hit>> batch = index.queryBatch(queries, 4, filter);
            assertEquals(queries.size(), batch.size());
            for (int i = 0; i < queries.size(); i++) {
                assertEquals(index.query(queries.get(i), 4, filter), batch.get(i), "query " + i + " with filter " + filter);
            }
        }
    }

    private static float[] randomVector(Random random, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = (float) random.nextGaussian();
        }
        return v;
    }
}
