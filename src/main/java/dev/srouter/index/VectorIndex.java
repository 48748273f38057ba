package dev.srouter.index;

import dev.srouter.core.SrouterException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The port every remote-style index implements (in memory, {@code file:}, Qdrant, Pinecone): the
 * records of the remote layout in DESIGN.md, their vectors, config entries, and the primitives the
 * lease lock is built on. Implementations only store and fetch; they decide nothing and print
 * nothing. One contract test suite ({@code VectorIndexContractTest}) runs against all of them.
 *
 * <p>A record is identified by (route, utterance); its id in the backend is derived from those
 * (see {@link RecordIds}), so writing the same record twice is idempotent and an interrupted sync
 * can simply be run again.
 *
 * <p>A missing index (never created) reads as empty: {@link #describe()} says it does not exist,
 * {@link #read}, {@link #query} and {@link #readConfig} find nothing, and {@link #delete} has
 * nothing to do. The other writes need the index: they fail with a
 * {@link dev.srouter.core.SrouterException} that names {@link #describeLocation()}, because a
 * backend such as Pinecone keeps config entries inside the index and cannot store them before it
 * exists. Backend failures surface as {@code SrouterException} too, never as checked exceptions.
 */
public interface VectorIndex extends SearchIndex {

    /** Whether the index exists, and its size and vector parameters when it does. */
    IndexInfo describe();

    /** Number of stored records: {@link #describe()}'s count unless the backend knows it more cheaply. */
    @Override
    default int size() {
        return (int) Math.min(Integer.MAX_VALUE, describe().count());
    }

    /** Vector length: {@link #describe()}'s unless the backend knows it more cheaply; -1 when the index does not exist. */
    @Override
    default int dimension() {
        return describe().dimension();
    }

    /**
     * Creates the index for vectors of {@code dimension} with cosine distance when it does not
     * exist; an existing index with another dimension or metric is an error that names both.
     */
    void create(int dimension);

    /**
     * One page of stored records, without vectors, in a stable order (the backend's id order): reading
     * page after page until the token is null returns every record once, when nothing writes meanwhile.
     *
     * @param pageToken null for the first page, else the previous page's {@link RecordPage#nextPageToken()};
     *     tokens are opaque and only meaningful to the index that issued them
     * @param pageSize how many records at most (a backend may use its own limit)
     */
    RecordPage read(String pageToken, int pageSize);

    /**
     * Writes records with their unit-length vectors; a record that exists is replaced, payload and
     * vector. A vector whose length is not the index's dimension is an error that names both.
     */
    void upsert(List<VectorRecord> records);

    /**
     * Rewrites the payload (metadata, function schemas) of existing records, keeping their vectors:
     * the write of a metadata-only change, which needs no embedding. Records that do not exist are
     * skipped (a record is never created without its vector).
     */
    void updatePayload(List<StoredRecord> records);

    /** Deletes records by (route, utterance); absent ones are ignored. */
    void delete(Collection<RecordKey> keys);

    /** A config entry (semantic-router's {@code sr_hash}, {@code sr_lock}, and srouter's own fields). */
    Optional<ConfigEntry> readConfig(String field);

    /** Writes a config entry, replacing any previous value; its {@code created_at} is the time of this write. */
    void writeConfig(String field, String value);

    /**
     * Writes {@code field} only when its current value equals {@code expected} (null: the entry is
     * absent), atomically where the backend allows (Pinecone has no conditional write: a check, a
     * write and a read-back after a settle delay, best effort): the primitive the lease lock is built
     * on. When the current value differs nothing is written.
     *
     * @return whether the value was written
     */
    boolean compareAndSetConfig(String field, String expected, String value);

    /**
     * Refuses, before any write, route names this backend cannot keep apart (Pinecone: names that differ
     * only by spaces and dashes share ids); nothing by default.
     */
    default void checkRouteNames(Collection<String> routeNames) {}

    /**
     * The id this backend stores the record of {@code key} under, so that a sync can refuse two records that would
     * share one before it writes; null where records are kept by (route, utterance) itself (nothing can collide).
     */
    default String recordId(RecordKey key) {
        return null;
    }

    /**
     * Waits until the writes made through this object are visible to reads, for an eventually consistent
     * backend (Pinecone), failing after a time limit; returns at once by default. The sync calls it before
     * it writes the manifest and hash, so that their presence still means the records are there.
     */
    default void awaitWritesVisible() {}

    /** Refuses records whose vectors are not {@code dimension} long, before anything is written, naming both lengths. */
    static void requireDimension(VectorIndex index, int dimension, List<VectorRecord> records) {
        for (VectorRecord r : records) {
            if (r.vector().length != dimension) {
                throw SrouterException.failure("vector of dimension " + r.vector().length + " for "
                        + index.describeLocation() + ", which holds vectors of dimension " + dimension);
            }
        }
    }

    /** Backend name for messages, e.g. {@code file:/tmp/idx} or {@code qdrant http://localhost:6334 semantic-router-index}. */
    String describeLocation();

    record IndexInfo(boolean exists, long count, int dimension, String metric) {
        public static IndexInfo missing() {
            return new IndexInfo(false, 0, -1, null);
        }
    }

    /** (route, utterance): what identifies a record. */
    record RecordKey(String route, String utterance) {}

    /**
     * A record as stored, without its vector. Metadata and function schemas are never null: absent
     * ones are an empty map and an empty list.
     */
    record StoredRecord(String route, String utterance, Map<String, Object> metadata, List<Map<String, Object>> functionSchemas) {
        public StoredRecord {
            metadata = metadata == null ? Map.of() : metadata;
            functionSchemas = functionSchemas == null ? List.of() : functionSchemas;
        }

        public RecordKey key() {
            return new RecordKey(route, utterance);
        }
    }

    /** A record to write, with its unit-length vector; null metadata or function schemas mean none. */
    record VectorRecord(String route, String utterance, float[] vector, Map<String, Object> metadata,
            List<Map<String, Object>> functionSchemas) {
        public VectorRecord {
            metadata = metadata == null ? Map.of() : metadata;
            functionSchemas = functionSchemas == null ? List.of() : functionSchemas;
        }

        public RecordKey key() {
            return new RecordKey(route, utterance);
        }

        /** The record without its vector, as {@link #read} returns it. */
        public StoredRecord stored() {
            return new StoredRecord(route, utterance, metadata, functionSchemas);
        }
    }

    /** One page of records; {@code nextPageToken} is null on the last page. */
    record RecordPage(List<StoredRecord> records, String nextPageToken) {}

    /** A config entry; {@code createdAt} is an ISO-8601 UTC time as Python's {@code datetime.isoformat()} writes it. */
    record ConfigEntry(String field, String value, String createdAt) {}
}
