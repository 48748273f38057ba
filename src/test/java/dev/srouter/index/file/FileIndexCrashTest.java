package dev.srouter.index.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import dev.srouter.index.VectorIndex.RecordKey;
import dev.srouter.index.VectorIndex.RecordPage;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import dev.srouter.index.file.FileIndex.CrashPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A write stopped at any step of its commit (the injected failure leaves the files as a killed process
 * would) must leave an index that opens and holds exactly the state before the write, or exactly the state
 * after it once the commit point is passed; and running the write again must give the state after it, with
 * the leftovers cleaned up. That is what lets an interrupted sync simply be run again.
 */
class FileIndexCrashTest {
    private static final float S = (float) Math.sqrt(0.5);

    @TempDir
    Path temp;

    /** A write call to stop part way. */
    enum Op {
        UPSERT(i -> i.upsert(List.of(
                new VectorRecord("r", "b", new float[] {S, S}, Map.of("v", "2"), List.of()),
                new VectorRecord("r", "c", new float[] {-1, 0}, Map.of(), List.of(Map.of("name", "f")))))),
        UPDATE_PAYLOAD(i -> i.updatePayload(List.of(new StoredRecord("r", "a", Map.of("v", "2"), List.of())))),
        DELETE(i -> i.delete(List.of(new RecordKey("r", "a")))),
        WRITE_CONFIG(i -> i.writeConfig("sr_hash", "after")),
        /** An upsert that is due to compact: the commit replaces every segment by one. */
        COMPACTING_UPSERT(UPSERT.action);

        final Consumer<FileIndex> action;

        Op(Consumer<FileIndex> action) {
            this.action = action;
        }
    }

    static Stream<Arguments> crashes() {
        List<Arguments> all = new ArrayList<>();
        for (Op op : Op.values()) {
            for (CrashPoint point : CrashPoint.values()) {
                all.add(Arguments.of(op, point));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} stopped at {1}")
    @MethodSource("crashes")
    void aWriteStoppedAtAnyStepLeavesTheOldOrTheNewStateAndCanBeRerun(Op op, CrashPoint point) throws IOException {
        Path reference = temp.resolve("reference");
        setUp(reference, op);
        Snapshot before = Snapshot.of(new FileIndex(reference));
        op.action.accept(new FileIndex(reference));
        Snapshot after = Snapshot.of(new FileIndex(reference));
        assertFalse(before.equals(after), "the operation changes something");

        Path dir = temp.resolve("crashed");
        FileIndex index = setUp(dir, op);
        index.failAfterWrites(0, point);
        SrouterException e = assertThrows(SrouterException.class, () -> op.action.accept(index));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains(point.name()), e.getMessage());

        // Config writes have no segment step: stopped there, they stop at the commit point.
        CrashPoint effective = op == Op.WRITE_CONFIG && point == CrashPoint.SEGMENT_RENAMED ? CrashPoint.COMMITTED : point;
        if (effective == CrashPoint.TEMP_WRITTEN) {
            assertFalse(names(dir, ".tmp").isEmpty(), "the stop left temporary files, as a crash would");
        }
        if (effective == CrashPoint.SEGMENT_RENAMED) {
            assertFalse(unlistedSegments(dir).isEmpty(), "the stop left a segment no manifest lists, as a crash would");
        }
        Snapshot expected = effective == CrashPoint.COMMITTED ? after : before;
        assertEquals(expected, Snapshot.of(new FileIndex(dir)), "a new process reads a consistent index");
        assertEquals(expected, Snapshot.of(index), "the object that failed drops what it had cached");

        FileIndex rerun = new FileIndex(dir);
        op.action.accept(rerun);
        assertEquals(after, Snapshot.of(rerun));
        assertEquals(after, Snapshot.of(new FileIndex(dir)));
        assertEquals(List.of(), names(dir, ".tmp"), "the rerun removed temporary files");
        assertEquals(Set.of(), unlistedSegments(dir), "the rerun removed unlisted segments");
        if (op == Op.COMPACTING_UPSERT) {
            // Compacted into one segment, by the rerun, or by the stopped write and then appended to by the rerun.
            assertEquals(effective == CrashPoint.COMMITTED ? 2 : 1, listedSegments(dir).size(), listedSegments(dir).toString());
        }
    }

    @Test
    void createStoppedBeforeTheManifestLeavesAnEmptyUsableIndex() {
        Path dir = temp.resolve("index");
        FileIndex index = new FileIndex(dir);
        index.failAfterWrites(0, CrashPoint.TEMP_WRITTEN);
        assertThrows(SrouterException.class, () -> index.create(2));
        assertFalse(new FileIndex(dir).describe().exists(), "no collection.json yet");

        index.failAfterWrites(0, CrashPoint.SEGMENT_RENAMED);
        assertThrows(SrouterException.class, () -> index.create(2));
        FileIndex reopened = new FileIndex(dir);
        assertEquals(0, reopened.describe().count());
        assertEquals(2, reopened.describe().dimension());
        reopened.create(2);
        reopened.upsert(List.of(new VectorRecord("r", "a", new float[] {1, 0}, Map.of(), List.of())));
        assertEquals(1, new FileIndex(dir).describe().count());
    }

    /** What a sync engine test does: fail the fifth batch, rerun every batch, and find everything once. */
    @Test
    void aSyncStoppedPartWayConvergesWhenRunAgain() {
        Path dir = temp.resolve("index");
        FileIndex index = new FileIndex(dir);
        index.create(2);
        List<List<VectorRecord>> batches = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            List<VectorRecord> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                double angle = (b * 20 + i) * 0.001;
                batch.add(new VectorRecord("r" + b, "u" + i, new float[] {(float) Math.cos(angle), (float) Math.sin(angle)}, Map.of(),
                        List.of()));
            }
            batches.add(batch);
        }
        index.failAfterWrites(4);
        int written = 0;
        try {
            for (List<VectorRecord> batch : batches) {
                index.upsert(batch);
                written++;
            }
        } catch (SrouterException e) {
            // the sync stops here
        }
        assertEquals(4, written);
        assertEquals(80, new FileIndex(dir).describe().count());
        assertEquals(6, index.writeCalls());

        FileIndex again = new FileIndex(dir);
        batches.forEach(again::upsert);
        assertEquals(200, again.describe().count());
        assertEquals(200, new HashSet<>(readAll(again)).size());
    }

    /** The index before the operation: records a and b, config sr_hash; for a compacting upsert, enough segments to compact. */
    private static FileIndex setUp(Path dir, Op op) throws IOException {
        FileIndex index = new FileIndex(dir);
        index.create(2);
        index.upsert(List.of(new VectorRecord("r", "a", new float[] {1, 0}, Map.of("v", "1"), List.of()),
                new VectorRecord("r", "b", new float[] {0, 1}, Map.of("v", "1"), List.of())));
        index.writeConfig("sr_hash", "before");
        if (op == Op.COMPACTING_UPSERT) {
            for (int i = 0; listedSegments(dir).size() < FileIndex.MAX_SEGMENTS - 1; i++) {
                index.upsert(List.of(new VectorRecord("filler", "f" + i, new float[] {0, -1}, Map.of(), List.of())));
            }
        }
        return index;
    }

    /** Everything a reader can observe: records, what queries return (so vectors), config. */
    private record Snapshot(Set<StoredRecord> records, List<List<String>> queries, String hash) {
        static Snapshot of(FileIndex index) {
            List<List<String>> queries = new ArrayList<>();
            for (float[] probe : List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {0.6f, -0.8f})) {
                queries.add(index.query(probe, 100, Set.of()).stream()
                        .map(h -> h.route() + "/" + h.utterance() + "=" + String.format("%.4f", h.score())).toList());
            }
            return new Snapshot(new HashSet<>(readAll(index)), queries,
                    index.readConfig("sr_hash").map(c -> c.value()).orElse(null));
        }
    }

    private static List<StoredRecord> readAll(FileIndex index) {
        List<StoredRecord> all = new ArrayList<>();
        String token = null;
        do {
            RecordPage page = index.read(token, 3);
            all.addAll(page.records());
            token = page.nextPageToken();
        } while (token != null);
        return all;
    }

    private static List<String> names(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> listedSegments(Path dir) throws IOException {
        return (List<String>) new ObjectMapper().readValue(dir.resolve("manifest.json").toFile(), Map.class).get("segments");
    }

    private static Set<String> unlistedSegments(Path dir) throws IOException {
        Set<String> listed = new HashSet<>(listedSegments(dir));
        Set<String> unlisted = new HashSet<>();
        for (String name : names(dir, "")) {
            if (name.startsWith("points-") && !name.endsWith(".tmp") && !listed.contains(name.substring(0, name.lastIndexOf('.')))) {
                unlisted.add(name);
            }
        }
        return unlisted;
    }
}
