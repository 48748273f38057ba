package dev.srouter.index;

import dev.srouter.core.Hit;
import java.util.List;
import java.util.Set;

/**
 * What routing needs of an index: the nearest stored utterances to a vector. {@link VectorIndex}
 * adds what the sync engine needs (paged reads, upserts, deletes, config and locks).
 */
public interface SearchIndex extends AutoCloseable {

    /**
     * The {@code topK} stored utterances nearest to {@code vector} by cosine similarity, nearest first.
     *
     * @param vector a unit-length query vector
     * @param routeFilter when not empty, only utterances of these routes are candidates
     */
    List<Hit> query(float[] vector, int topK, Set<String> routeFilter);

    /** {@link #query} for several vectors at once; an index may answer a batch faster than one by one. */
    default List<List<Hit>> queryBatch(List<float[]> vectors, int topK, Set<String> routeFilter) {
        return vectors.stream().map(v -> query(v, topK, routeFilter)).toList();
    }

    /** Number of stored utterances. */
    int size();

    /** Vector length, or -1 when the index is empty and unconfigured. */
    int dimension();

    @Override
    default void close() {}
}
