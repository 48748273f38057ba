package dev.srouter.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.VectorIndex.ConfigEntry;
import dev.srouter.index.VectorIndex.IndexInfo;
import dev.srouter.index.VectorIndex.RecordKey;
import dev.srouter.index.VectorIndex.RecordPage;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link VectorIndex} must do, whatever the backend: the sync engine is written against this
 * contract and tested on the in-memory index, so a backend that passes it behaves the same under a sync.
 * A backend's test extends this class and supplies a fresh, empty, never created index.
 *
 * <p>Payload values are kept to what every backend round-trips unchanged: strings, booleans and lists of
 * strings in metadata (Pinecone's metadata has no nested maps and returns numbers as doubles), anything
 * JSON in function schemas (stored as a JSON string where the backend needs one).
 */
public abstract class VectorIndexContractTest {
    protected static final int DIM = 4;
    private static final int OTHER_DIM = 7;

    /** A new index that does not exist yet (describe().exists() is false) and shares nothing with other tests. */
    protected abstract VectorIndex newIndex();

    /** Waits until earlier writes are visible to reads, for an eventually consistent backend; nothing by default. */
    protected void settle(VectorIndex index) {}

    /**
     * Whether routes whose names differ only by a space and a dash ({@code customer support},
     * {@code customer-support}) can both be stored. Not on Pinecone, whose ids turn spaces into
     * dashes: its own test checks that such names are refused.
     */
    protected boolean keepsApartRoutesDifferingBySpaceOrDash() {
        return true;
    }

    /** Whether route names may hold non-ASCII text (Pinecone's ids, which begin with the route name, are ASCII only). */
    protected boolean takesNonAsciiRouteNames() {
        return true;
    }

    protected VectorIndex index;

    @BeforeEach
    void openIndex() {
        index = newIndex();
    }

    @AfterEach
    void closeIndex() {
        index.close();
    }

    // ---- existence and creation ----

    @Test
    void aMissingIndexReadsAsEmpty() {
        IndexInfo info = index.describe();
        assertFalse(info.exists());
        assertEquals(0, info.count());
        RecordPage page = index.read(null, 10);
        assertEquals(List.of(), page.records());
        assertNull(page.nextPageToken());
        assertEquals(List.of(), index.query(vector(1), 3, Set.of()));
        assertEquals(Optional.empty(), index.readConfig("sr_hash"));
        assertEquals(0, index.size());
        index.delete(List.of(new RecordKey("politics", "nothing here"))); // nothing to delete is no error
        assertFalse(index.describe().exists(), "a delete must not create the index");
    }

    @Test
    void writesOtherThanCreateAndDeleteNeedTheIndex() {
        VectorRecord r = record("politics", "u", 1);
        for (Runnable write : List.<Runnable>of(
                () -> index.upsert(List.of(r)),
                () -> index.updatePayload(List.of(r.stored())),
                () -> index.writeConfig("sr_hash", "h"),
                () -> index.compareAndSetConfig("sr_lock", null, "True"))) {
            SrouterException e = assertThrows(SrouterException.class, write::run);
            assertTrue(e.getMessage().contains(index.describeLocation()), e.getMessage());
        }
        assertFalse(index.describe().exists());
    }

    @Test
    void createMakesAnEmptyCosineIndexAndIsIdempotent() {
        index.create(DIM);
        settle(index);
        assertEquals(new IndexInfo(true, 0, DIM, "cosine"), index.describe());
        index.create(DIM);
        settle(index);
        assertEquals(new IndexInfo(true, 0, DIM, "cosine"), index.describe());
        assertEquals(DIM, index.dimension());
    }

    @Test
    void createWithAnotherDimensionFailsNamingBoth() {
        index.create(DIM);
        settle(index);
        SrouterException e = assertThrows(SrouterException.class, () -> index.create(OTHER_DIM));
        assertTrue(Pattern.compile("\\b" + DIM + "\\b").matcher(e.getMessage()).find(), e.getMessage());
        assertTrue(Pattern.compile("\\b" + OTHER_DIM + "\\b").matcher(e.getMessage()).find(), e.getMessage());
        assertEquals(DIM, index.describe().dimension());
    }

    @Test
    void anUpsertOfAnotherDimensionFailsNamingBoth() {
        index.create(DIM);
        VectorRecord wrong = new VectorRecord("politics", "u", unit(new float[OTHER_DIM]), Map.of(), List.of());
        SrouterException e = assertThrows(SrouterException.class, () -> index.upsert(List.of(wrong)));
        assertTrue(Pattern.compile("\\b" + DIM + "\\b").matcher(e.getMessage()).find(), e.getMessage());
        assertTrue(Pattern.compile("\\b" + OTHER_DIM + "\\b").matcher(e.getMessage()).find(), e.getMessage());
        settle(index);
        assertEquals(0, index.describe().count());
    }

    // ---- records ----

    @Test
    void pagedReadsReturnEveryRecordOnceWithItsPayload() {
        index.create(DIM);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(new VectorRecord(i % 2 == 0 ? "politics" : "chitchat", "utterance " + i, vector(i),
                    i % 3 == 0 ? metadata("team " + i) : Map.of(), i % 4 == 0 ? schemas("tool_" + i) : List.of()));
        }
        index.upsert(records);
        settle(index);

        List<RecordPage> pages = readAllPages(3);
        assertEquals(4, pages.size(), "10 records in pages of 3");
        for (int p = 0; p < pages.size(); p++) {
            assertTrue(pages.get(p).records().size() <= 3);
            assertEquals(p == pages.size() - 1, pages.get(p).nextPageToken() == null, "only the last page has no token");
        }
        List<StoredRecord> read = pages.stream().flatMap(p -> p.records().stream()).toList();
        assertEquals(10, read.size());
        assertEquals(records.stream().map(VectorRecord::stored).collect(java.util.stream.Collectors.toSet()), new HashSet<>(read));
        assertEquals(10, index.describe().count());
        assertEquals(10, index.size());
    }

    @Test
    void theReadOrderIsStable() {
        index.create(DIM);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            records.add(record("r" + (i % 3), "u" + i, i));
        }
        index.upsert(records);
        settle(index);
        List<RecordKey> first = keysInReadOrder(2);
        assertEquals(first, keysInReadOrder(2));
        assertEquals(first, keysInReadOrder(100), "the order does not depend on the page size");
    }

    @Test
    void upsertingAKeyAgainReplacesPayloadAndVector() {
        index.create(DIM);
        index.upsert(List.of(new VectorRecord("politics", "u", vector(1), metadata("old"), List.of())));
        index.upsert(List.of(new VectorRecord("politics", "u", vector(2), metadata("new"), schemas("f"))));
        settle(index);
        List<StoredRecord> all = readAll();
        assertEquals(List.of(new StoredRecord("politics", "u", metadata("new"), schemas("f"))), all);
        assertEquals(1.0, index.query(vector(2), 1, Set.of()).get(0).score(), 1e-5, "the new vector is stored");
        assertTrue(index.query(vector(1), 1, Set.of()).get(0).score() < 0.999, "the old vector is gone");
    }

    @Test
    void theLastOfTwoRecordsWithOneKeyInABatchWins() {
        index.create(DIM);
        index.upsert(List.of(new VectorRecord("politics", "u", vector(1), metadata("first"), List.of()),
                new VectorRecord("politics", "u", vector(2), metadata("second"), List.of())));
        settle(index);
        assertEquals(List.of(new StoredRecord("politics", "u", metadata("second"), List.of())), readAll());
    }

    @Test
    void updatePayloadChangesMetadataAndKeepsTheVector() {
        index.create(DIM);
        index.upsert(List.of(record("politics", "a", 1), record("politics", "b", 2)));
        settle(index);
        double before = index.query(vector(9), 2, Set.of()).stream().filter(h -> h.utterance().equals("a")).findFirst()
                .orElseThrow().score();

        index.updatePayload(List.of(new StoredRecord("politics", "a", metadata("changed"), schemas("g")),
                new StoredRecord("politics", "not stored", metadata("x"), List.of())));
        settle(index);

        Map<RecordKey, StoredRecord> byKey = new HashMap<>();
        readAll().forEach(r -> byKey.put(r.key(), r));
        assertEquals(2, byKey.size(), "updatePayload must not create a record");
        assertEquals(new StoredRecord("politics", "a", metadata("changed"), schemas("g")), byKey.get(new RecordKey("politics", "a")));
        double after = index.query(vector(9), 2, Set.of()).stream().filter(h -> h.utterance().equals("a")).findFirst()
                .orElseThrow().score();
        assertEquals(before, after, 1e-6);
        assertEquals(1.0, index.query(vector(1), 1, Set.of()).get(0).score(), 1e-5);
    }

    @Test
    void deleteRemovesByKeyAndIgnoresAbsentKeys() {
        index.create(DIM);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(record("r", "u" + i, i));
        }
        index.upsert(records);
        index.delete(List.of(new RecordKey("r", "u1"), new RecordKey("r", "u3"), new RecordKey("r", "absent"),
                new RecordKey("other", "u0")));
        settle(index);
        assertEquals(Set.of("u0", "u2", "u4"), utterances(readAll()));
        assertEquals(3, index.describe().count());
        for (Hit h : index.query(vector(1), 5, Set.of())) {
            assertFalse(h.utterance().equals("u1") || h.utterance().equals("u3"), "deleted record found by query: " + h);
        }
    }

    @Test
    void emptyBatchesChangeNothing() {
        index.create(DIM);
        index.upsert(List.of(record("r", "u", 1)));
        index.upsert(List.of());
        index.updatePayload(List.of());
        index.delete(List.of());
        settle(index);
        assertEquals(1, index.describe().count());
    }

    @Test
    void theIndexKeepsItsOwnCopyOfPayloads() {
        index.create(DIM);
        Map<String, Object> meta = new LinkedHashMap<>(metadata("mine"));
        index.upsert(List.of(new VectorRecord("r", "u", vector(1), meta, List.of())));
        meta.put("team", "changed after the write");
        settle(index);
        assertEquals(metadata("mine"), readAll().get(0).metadata());
    }

    @Test
    void routesAndUtterancesMayHoldAnyText() {
        index.create(DIM);
        String cafe = takesNonAsciiRouteNames() ? "café ☕" : "cafe (coffee)";
        String japanese = takesNonAsciiRouteNames() ? "日本語" : "nihongo";
        List<VectorRecord> records = new ArrayList<>(List.of(
                record("customer support", "where is my order? 🚚", 1),
                record(cafe, "naïve \"quoted\" and 'single' words", 2),
                record("route:with:colons", "a:b:c # not a comment", 3),
                record("hash#route", "back\\slash, tab\tand\nnewline", 4),
                record(japanese, "こんにちは、元気ですか？", 5)));
        if (keepsApartRoutesDifferingBySpaceOrDash()) {
            records.add(record("customer-support", "where is my order? 🚚", 6));
        }
        index.upsert(records);
        settle(index);
        assertEquals(records.stream().map(VectorRecord::stored).collect(java.util.stream.Collectors.toSet()),
                new HashSet<>(readAll()), "customer support and customer-support are different routes");
        Hit best = index.query(vector(2), 1, Set.of()).get(0);
        assertEquals(new Hit(cafe, "naïve \"quoted\" and 'single' words", best.score()), best);
        index.delete(List.of(new RecordKey("hash#route", "back\\slash, tab\tand\nnewline"),
                new RecordKey("customer support", "where is my order? 🚚")));
        settle(index);
        Set<String> left = new HashSet<>(Set.of(cafe, "route:with:colons", japanese));
        if (keepsApartRoutesDifferingBySpaceOrDash()) {
            left.add("customer-support");
        }
        assertEquals(left.size(), index.describe().count());
        assertEquals(left, readAll().stream().map(StoredRecord::route).collect(java.util.stream.Collectors.toSet()));
    }

    // ---- query ----

    @Test
    void queryReturnsTheTopKNearestFirst() {
        index.create(DIM);
        index.upsert(List.of(
                new VectorRecord("east", "e", unit(1, 0, 0, 0), Map.of(), List.of()),
                new VectorRecord("north", "n", unit(0, 1, 0, 0), Map.of(), List.of()),
                new VectorRecord("east", "ne", unit(1, 1, 0, 0), Map.of(), List.of()),
                new VectorRecord("up", "u", unit(0, 0, 1, 0), Map.of(), List.of())));
        settle(index);
        List<Hit> hits = index.query(unit(1, 0.2f, 0, 0), 3, Set.of());
        assertEquals(List.of("e", "ne", "n"), hits.stream().map(Hit::utterance).toList());
        double norm = Math.sqrt(1.04);
        assertEquals(1 / norm, hits.get(0).score(), 1e-5);
        assertEquals(1.2 / norm / Math.sqrt(2), hits.get(1).score(), 1e-5);
        assertEquals(0.2 / norm, hits.get(2).score(), 1e-5);
        assertEquals(4, index.query(unit(1, 0, 0, 0), 10, Set.of()).size(), "top-k beyond the count returns all");
    }

    @Test
    void aRouteFilterRestrictsTheCandidates() {
        index.create(DIM);
        index.upsert(List.of(
                new VectorRecord("east", "e", unit(1, 0, 0, 0), Map.of(), List.of()),
                new VectorRecord("north", "n", unit(0, 1, 0, 0), Map.of(), List.of()),
                new VectorRecord("up", "u", unit(0, 0, 1, 0), Map.of(), List.of())));
        settle(index);
        List<Hit> hits = index.query(unit(1, 0, 0, 0), 5, Set.of("north", "up", "no such route"));
        assertEquals(Set.of("n", "u"), utteranceSet(hits));
        assertEquals(List.of(), index.query(unit(1, 0, 0, 0), 5, Set.of("no such route")));
    }

    @Test
    void aBatchQueryAnswersAsSingleQueries() {
        index.create(DIM);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            records.add(record("r" + (i % 4), "u" + i, i));
        }
        index.upsert(records);
        settle(index);
        List<float[]> queries = List.of(vector(100), vector(101), vector(102));
        List<List<Hit>> batch = index.queryBatch(queries, 3, Set.of("r1", "r2"));
        for (int q = 0; q < queries.size(); q++) {
            List<Hit> single = index.query(queries.get(q), 3, Set.of("r1", "r2"));
            assertEquals(single.stream().map(Hit::utterance).toList(), batch.get(q).stream().map(Hit::utterance).toList());
        }
    }

    // ---- config ----

    @Test
    void configEntriesAreWrittenReadAndOverwritten() {
        index.create(DIM);
        assertEquals(Optional.empty(), index.readConfig("sr_hash"));
        index.writeConfig("sr_hash", "abc123");
        settle(index);
        ConfigEntry first = index.readConfig("sr_hash").orElseThrow();
        assertEquals("sr_hash", first.field());
        assertEquals("abc123", first.value());
        assertNotNull(first.createdAt());
        OffsetDateTime firstTime = OffsetDateTime.parse(first.createdAt());

        index.writeConfig("sr_hash", "def456");
        settle(index);
        ConfigEntry second = index.readConfig("sr_hash").orElseThrow();
        assertEquals("def456", second.value());
        assertFalse(OffsetDateTime.parse(second.createdAt()).isBefore(firstTime));
        assertEquals(Optional.empty(), index.readConfig("sr_lock"), "fields are independent");
    }

    @Test
    void configEntriesAreNotRecords() {
        index.create(DIM);
        index.upsert(List.of(record("r", "u", 1)));
        index.writeConfig("sr_hash", "abc");
        index.writeConfig("sr_lock", "False");
        settle(index);
        assertEquals(1, index.describe().count());
        assertEquals(1, readAll().size());
        assertEquals(1, index.query(vector(1), 10, Set.of()).size());
    }

    @Test
    void compareAndSetWritesOnlyOverTheExpectedValue() {
        index.create(DIM);
        assertTrue(index.compareAndSetConfig("sr_lock", null, "owner-a"), "absent and expected absent");
        settle(index);
        ConfigEntry held = index.readConfig("sr_lock").orElseThrow();
        assertEquals("owner-a", held.value());

        assertFalse(index.compareAndSetConfig("sr_lock", null, "owner-b"), "present but expected absent");
        assertFalse(index.compareAndSetConfig("sr_lock", "owner-c", "owner-b"), "another value expected");
        settle(index);
        assertEquals(held, index.readConfig("sr_lock").orElseThrow(), "a failed compare-and-set writes nothing, not even the time");

        assertTrue(index.compareAndSetConfig("sr_lock", "owner-a", "owner-b"));
        settle(index);
        assertEquals("owner-b", index.readConfig("sr_lock").orElseThrow().value());
        assertFalse(index.compareAndSetConfig("sr_hash", "owner-b", "x"), "another field is absent");
        settle(index);
        assertEquals(Optional.empty(), index.readConfig("sr_hash"));
    }

    // ---- helpers ----

    protected List<RecordPage> readAllPages(int pageSize) {
        List<RecordPage> pages = new ArrayList<>();
        String token = null;
        do {
            RecordPage page = index.read(token, pageSize);
            pages.add(page);
            token = page.nextPageToken();
            assertTrue(pages.size() < 10_000, "paging does not end");
        } while (token != null);
        return pages;
    }

    protected List<StoredRecord> readAll() {
        return readAllPages(100).stream().flatMap(p -> p.records().stream()).toList();
    }

    private List<RecordKey> keysInReadOrder(int pageSize) {
        return readAllPages(pageSize).stream().flatMap(p -> p.records().stream()).map(StoredRecord::key).toList();
    }

    private static Set<String> utterances(List<StoredRecord> records) {
        Set<String> out = new HashSet<>();
        records.forEach(r -> out.add(r.utterance()));
        return out;
    }

    private static Set<String> utteranceSet(List<Hit> hits) {
        Set<String> out = new HashSet<>();
        hits.forEach(h -> out.add(h.utterance()));
        return out;
    }

    protected static Map<String, Object> metadata(String team) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("team", team);
        m.put("reviewed", true);
        m.put("tags", List.of("a", "b: c"));
        return m;
    }

    protected static List<Map<String, Object>> schemas(String name) {
        return List.of(Map.of("name", name, "description", "a tool", "parameters",
                Map.of("type", "object", "properties", Map.of("tz", Map.of("type", "string")), "required", List.of("tz"))));
    }

    protected static VectorRecord record(String route, String utterance, int seed) {
        return new VectorRecord(route, utterance, vector(seed), Map.of(), List.of());
    }

    /** A pseudo-random unit vector of {@link #DIM}, the same for the same seed. */
    protected static float[] vector(int seed) {
        Random random = new Random(seed * 7919L + 17);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return unit(v);
    }

    protected static float[] unit(float... v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float[] out = v.clone();
        if (norm == 0) {
            out[0] = 1;
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (out[i] / Math.sqrt(norm));
        }
        return out;
    }
}
