package dev.srouter.index.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.Hit;
import dev.srouter.core.SrouterException;
import dev.srouter.index.RecordIds;
import dev.srouter.index.VectorIndex.RecordKey;
import dev.srouter.index.VectorIndex.RecordPage;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the {@code file:} index promises beyond the contract: the Qdrant layout on disk (ids, payload keys,
 * config entries), namespaces sharing a directory, objects on one directory seeing each other's writes,
 * bounded files under many small writes, and vectors read only when a query needs them.
 */
class FileIndexTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-31T09:15:02.123456Z"), ZoneOffset.UTC);

    @TempDir
    Path temp;

    private Path dir() {
        return temp.resolve("index");
    }

    private static VectorRecord record(String route, String utterance, float... v) {
        return new VectorRecord(route, utterance, v, Map.of(), List.of());
    }

    @Test
    void theFilesHoldTheQdrantLayout() throws IOException {
        FileIndex index = new FileIndex(dir(), FileIndex.DEFAULT_INDEX_NAME, null, CLOCK);
        index.create(2);
        index.upsert(List.of(new VectorRecord("politics", "isn't politics the best thing ever", new float[] {0.6f, 0.8f},
                Map.of("team", "safety"), List.of(Map.of("name", "get_time")))));
        index.writeConfig("sr_hash", "abc");

        Map<?, ?> collection = JSON.readValue(dir().resolve("collection.json").toFile(), Map.class);
        assertEquals(1, collection.get("layout_version"));
        assertEquals(2, collection.get("dimension"));
        assertEquals("cosine", collection.get("metric"));
        assertEquals("2025-01-31T09:15:02.123456+00:00", collection.get("created_at"));

        Map<?, ?> manifest = JSON.readValue(dir().resolve("manifest.json").toFile(), Map.class);
        assertEquals(1, manifest.get("generation"));
        assertEquals(List.of("points-000001"), manifest.get("segments"));

        List<String> lines = Files.readAllLines(dir().resolve("points-000001.jsonl"));
        assertEquals(1, lines.size());
        Map<?, ?> line = JSON.readValue(lines.get(0), Map.class);
        assertEquals("upsert", line.get("op"));
        assertEquals("6583a1f8-7b8b-5502-b61e-6e740fa05c17", line.get("id"));
        Map<?, ?> payload = (Map<?, ?>) line.get("payload");
        assertEquals(List.of("sr_route", "sr_utterance", "metadata", "sr_function_schemas"), List.copyOf(payload.keySet()));
        assertEquals("politics", payload.get("sr_route"));
        assertEquals("isn't politics the best thing ever", payload.get("sr_utterance"));
        assertEquals(Map.of("team", "safety"), payload.get("metadata"));
        assertEquals(List.of(Map.of("name", "get_time")), payload.get("sr_function_schemas"));

        ByteBuffer vector = ByteBuffer.wrap(Files.readAllBytes(dir().resolve("points-000001.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, vector.remaining());
        assertEquals(0.6f, vector.getFloat());
        assertEquals(0.8f, vector.getFloat());

        Map<?, ?> config = JSON.readValue(dir().resolve("sr_config.json").toFile(), Map.class);
        Map<?, ?> point = (Map<?, ?>) ((List<?>) config.get("points")).get(0);
        assertEquals("3ab75a8d-c2ce-565e-af83-90c3682d01c5", point.get("id"));
        assertEquals(Map.of("field", "sr_hash", "scope", "semantic-router-index", "value", "abc",
                "created_at", "2025-01-31T09:15:02.123456+00:00"), point.get("payload"));
    }

    @Test
    void namespacesShareADirectoryWithoutSeeingEachOther() throws IOException {
        FileIndex acme = new FileIndex(dir(), FileIndex.DEFAULT_INDEX_NAME, "acme", CLOCK);
        FileIndex plain = new FileIndex(dir());
        acme.create(2);
        acme.upsert(List.of(record("politics", "isn't politics the best thing ever", 1, 0)));
        plain.upsert(List.of(record("politics", "isn't politics the best thing ever", 0, 1)));
        acme.writeConfig("sr_hash", "acme hash");
        plain.writeConfig("sr_hash", "plain hash");

        assertEquals(1, acme.describe().count());
        assertEquals(1, plain.describe().count());
        assertEquals(1.0, acme.query(new float[] {1, 0}, 5, Set.of()).get(0).score(), 1e-6);
        assertEquals(1.0, plain.query(new float[] {0, 1}, 5, Set.of()).get(0).score(), 1e-6);
        assertEquals("acme hash", acme.readConfig("sr_hash").orElseThrow().value());
        assertEquals("plain hash", plain.readConfig("sr_hash").orElseThrow().value());

        String all = Files.readString(dir().resolve("points-000001.jsonl")) + Files.readString(dir().resolve("points-000002.jsonl"));
        assertTrue(all.contains("\"id\":\"b2e40fa8-bb6d-533c-b1ae-fa80477ac7d0\""), all);
        assertTrue(all.contains("\"namespace\":\"acme\""), all);
        assertTrue(Files.readString(dir().resolve("sr_config.json")).contains(RecordIds.qdrantConfigId("sr_hash", "acme")));

        plain.delete(List.of(new RecordKey("politics", "isn't politics the best thing ever")));
        assertEquals(0, plain.describe().count());
        assertEquals(1, acme.describe().count(), "a delete only reaches its own namespace");
    }

    @Test
    void objectsOnOneDirectorySeeEachOthersWrites() {
        FileIndex a = new FileIndex(dir());
        FileIndex b = new FileIndex(dir());
        a.create(2);
        a.upsert(List.of(record("r", "one", 1, 0)));
        assertEquals(List.of("one"), utterances(b));
        a.upsert(List.of(record("r", "two", 0, 1)));
        assertEquals(List.of("one", "two"), utterances(b).stream().sorted().toList());
        assertEquals("two", b.query(new float[] {0, 1}, 1, Set.of()).get(0).utterance());
        b.delete(List.of(new RecordKey("r", "one")));
        a.updatePayload(List.of(new StoredRecord("r", "two", Map.of("k", "v"), List.of())));
        assertEquals(List.of(new StoredRecord("r", "two", Map.of("k", "v"), List.of())), b.read(null, 10).records());
        assertEquals("two", a.query(new float[] {1, 0}, 5, Set.of()).get(0).utterance());
    }

    @Test
    void manySmallWritesAreCompactedIntoFewFiles() throws IOException {
        FileIndex index = new FileIndex(dir());
        index.create(2);
        Map<RecordKey, Double> expected = new java.util.HashMap<>(); // what must be stored: key -> angle of its vector
        for (int round = 0; round < 60; round++) {
            List<VectorRecord> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = round * 5 + i;
                double angle = n * 0.01;
                VectorRecord r = record("r" + (i % 2), "u" + n % 40, (float) Math.cos(angle), (float) Math.sin(angle));
                batch.add(r);
                expected.put(r.key(), angle);
            }
            index.upsert(batch);
            if (round % 7 == 3) {
                RecordKey gone = new RecordKey("r0", "u" + round % 40);
                index.delete(List.of(gone));
                expected.remove(gone);
            }
        }
        long segmentFiles;
        try (Stream<Path> files = Files.list(dir())) {
            segmentFiles = files.filter(p -> p.getFileName().toString().startsWith("points-")).count();
        }
        assertTrue(segmentFiles <= 2 * FileIndex.MAX_SEGMENTS, segmentFiles + " segment files");

        FileIndex reopened = new FileIndex(dir());
        assertEquals(expected.size(), index.describe().count());
        assertEquals(expected.size(), reopened.describe().count());
        assertEquals(utterances(index), utterances(reopened));
        for (Map.Entry<RecordKey, Double> e : expected.entrySet()) {
            float[] v = {(float) Math.cos(e.getValue()), (float) Math.sin(e.getValue())};
            Hit best = reopened.query(v, 1, Set.of(e.getKey().route())).get(0);
            assertEquals(e.getKey().utterance(), best.utterance(), "vector of " + e.getKey() + " lost or misplaced by compaction");
            assertEquals(1.0, best.score(), 1e-6);
        }
    }

    @Test
    void vectorsAreReadOnlyWhenAQueryNeedsThem() throws IOException {
        FileIndex writer = new FileIndex(dir());
        writer.create(2);
        writer.upsert(List.of(record("r", "u", 1, 0)));
        Files.write(dir().resolve("points-000001.f32"), new byte[3]); // damaged: 3 bytes where 8 belong

        FileIndex reader = new FileIndex(dir());
        assertEquals(1, reader.describe().count());
        assertEquals(1, reader.read(null, 10).records().size());
        SrouterException e = assertThrows(SrouterException.class, () -> reader.query(new float[] {1, 0}, 1, Set.of()));
        assertTrue(e.getMessage().contains("points-000001.f32"), e.getMessage());
    }

    @Test
    void readsOfAMissingIndexCreateNothing() {
        FileIndex index = new FileIndex(dir());
        assertFalse(index.describe().exists());
        assertEquals(new RecordPage(List.of(), null), index.read(null, 10));
        assertEquals(List.of(), index.query(new float[] {1, 0}, 1, Set.of()));
        assertEquals(List.of(List.of()), index.queryBatch(List.of(new float[] {1, 0}), 1, Set.of()));
        assertTrue(index.readConfig("sr_hash").isEmpty());
        index.delete(List.of(new RecordKey("r", "u")));
        assertFalse(Files.exists(dir()));
    }

    @Test
    void anEmptyExistingDirectoryIsAMissingIndex() throws IOException {
        Files.createDirectories(dir());
        FileIndex index = new FileIndex(dir());
        assertFalse(index.describe().exists());
        index.create(3);
        assertEquals(3, new FileIndex(dir()).describe().dimension());
    }

    @Test
    void theLocationIsTheAbsolutePath() {
        assertEquals("file:" + dir(), new FileIndex(dir()).describeLocation());
        Path relative = Path.of("some", "..", "rel-index");
        assertEquals("file:" + Path.of("rel-index").toAbsolutePath(), new FileIndex(relative).describeLocation());
    }

    @Test
    void aDamagedCollectionFileIsAnErrorNamingIt() throws IOException {
        new FileIndex(dir()).create(2);
        Files.writeString(dir().resolve("collection.json"), "{ not json");
        SrouterException e = assertThrows(SrouterException.class, () -> new FileIndex(dir()).describe());
        assertTrue(e.getMessage().contains("collection.json"), e.getMessage());
    }

    @Test
    void aNewerLayoutIsRefusedRatherThanMisread() throws IOException {
        new FileIndex(dir()).create(2);
        Path file = dir().resolve("collection.json");
        Files.writeString(file, Files.readString(file).replace("\"layout_version\" : 1", "\"layout_version\" : 2"));
        SrouterException e = assertThrows(SrouterException.class, () -> new FileIndex(dir()).describe());
        assertTrue(e.getMessage().contains("upgrade"), e.getMessage());
    }

    @Test
    void aPageTokenThatIsNotOneIsRejected() {
        FileIndex index = new FileIndex(dir());
        index.create(2);
        assertThrows(SrouterException.class, () -> index.read("bogus", 10));
    }

    private static List<String> utterances(FileIndex index) {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            RecordPage page = index.read(token, 7);
            page.records().forEach(r -> out.add(r.utterance()));
            token = page.nextPageToken();
        } while (token != null);
        return out;
    }
}
