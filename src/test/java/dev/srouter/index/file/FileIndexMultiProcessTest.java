package dev.srouter.index.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.Hit;
import dev.srouter.index.VectorIndex.RecordPage;
import dev.srouter.index.VectorIndex.StoredRecord;
import dev.srouter.index.VectorIndex.VectorRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one {@code file:} index, as two CI jobs syncing at once or a sync beside a router:
 * without the file locks, two read-modify-writes of the manifest would each drop the other's segment and
 * two compare-and-sets from absent could both succeed. A process killed mid-write must leave an index
 * that opens, with each batch wholly there or wholly absent.
 */
class FileIndexMultiProcessTest {
    @TempDir
    Path temp;

    @Test
    void disjointUpsertsFromTwoProcessesAllLand() throws Exception {
        Path dir = temp.resolve("index");
        // 2 x 40 commits: enough to interleave, and to compact (every 16 segments) while the other writes.
        Worker a = worker("upsert", dir.toString(), "alpha", "400", "10");
        Worker b = worker("upsert", dir.toString(), "beta", "400", "10");
        awaitSuccess(a);
        awaitSuccess(b);

        FileIndex index = new FileIndex(dir);
        assertEquals(800, index.describe().count());
        Set<String> utterances = new HashSet<>();
        for (StoredRecord r : readAll(index)) {
            assertTrue(utterances.add(r.utterance()), "read twice: " + r.utterance());
            assertTrue(r.utterance().startsWith(r.route() + "-"));
        }
        for (String prefix : List.of("alpha", "beta")) {
            for (int i = 0; i < 400; i++) {
                VectorRecord expected = FileIndexWorker.record(prefix, i);
                assertTrue(utterances.contains(expected.utterance()), "lost " + expected.utterance());
                if (i % 37 == 0) {
                    Hit best = index.query(expected.vector(), 1, Set.of(prefix)).get(0);
                    assertEquals(expected.utterance(), best.utterance());
                    assertEquals(1.0, best.score(), 1e-5, "the vector stored with " + expected.utterance());
                }
            }
        }
    }

    @Test
    void twoProcessesRacingACompareAndSetHaveOneWinnerPerField() throws Exception {
        Path dir = temp.resolve("index");
        new FileIndex(dir).create(FileIndexWorker.DIM);
        Path start = temp.resolve("start");
        int fields = 200;
        Worker a = worker("cas", dir.toString(), "owner-a", String.valueOf(fields), start.toString());
        Worker b = worker("cas", dir.toString(), "owner-b", String.valueOf(fields), start.toString());
        Thread.sleep(300); // both JVMs up and spinning, so the race is real
        Files.createFile(start);
        List<String> outA = awaitSuccess(a);
        List<String> outB = awaitSuccess(b);

        FileIndex index = new FileIndex(dir);
        for (int i = 0; i < fields; i++) {
            boolean aWon = outA.contains(i + " won");
            boolean bWon = outB.contains(i + " won");
            assertTrue(aWon ^ bWon, "field " + i + ": a " + (aWon ? "won" : "lost") + ", b " + (bWon ? "won" : "lost"));
            assertEquals(aWon ? "owner-a" : "owner-b", index.readConfig("race-" + i).orElseThrow().value());
        }
    }

    @Test
    void aWriterKilledMidWriteLeavesAConsistentIndex() throws Exception {
        Path dir = temp.resolve("index");
        int batch = 50;
        for (int round = 0; round < 3; round++) {
            FileIndex index = new FileIndex(dir);
            long before = index.describe().count();
            Worker writer = worker("upsert", dir.toString(), "round" + round, "1000000", String.valueOf(batch));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (index.describe().count() < before + 3L * batch + round * 97L && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            writer.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            FileIndex reopened = new FileIndex(dir);
            long count = reopened.describe().count();
            List<StoredRecord> all = readAll(reopened);
            assertEquals(count, all.size());
            String route = "round" + round;
            long written = all.stream().filter(r -> r.route().equals(route)).count();
            assertTrue(written > 0, "the writer wrote something before it was killed");
            assertEquals(before + written, count, "earlier rounds' records are intact");
            assertEquals(0, written % batch, "a batch is all there or not at all: " + written);
            reopened.upsert(List.of(FileIndexWorker.record("after", round)));
            assertEquals(count + 1, reopened.describe().count());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList(),
                        "the next writer removes what the killed one left");
            }
        }
    }

    private static List<StoredRecord> readAll(FileIndex index) {
        List<StoredRecord> all = new ArrayList<>();
        String token = null;
        do {
            RecordPage page = index.read(token, 128);
            all.addAll(page.records());
            token = page.nextPageToken();
        } while (token != null);
        return all;
    }

    /** A child JVM running {@link FileIndexWorker}, its output (stdout and stderr) going to {@code log}. */
    private record Worker(Process process, Path log) {}

    private Worker worker(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FileIndexWorker.class.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(temp, "worker", ".log");
        return new Worker(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
    }

    /** The worker's output lines, once it has exited with status 0. */
    private static List<String> awaitSuccess(Worker w) throws Exception {
        if (!w.process().waitFor(120, TimeUnit.SECONDS)) {
            w.process().destroyForcibly();
            throw new AssertionError("worker did not finish in 120 s: " + Files.readString(w.log()));
        }
        List<String> lines = Files.readAllLines(w.log());
        assertEquals(0, w.process().exitValue(), "worker failed: " + String.join("\n", lines));
        return lines;
    }
}
