package dev.srouter.encoder;

import static dev.srouter.encoder.CacheWriterMain.text;
import static dev.srouter.encoder.CacheWriterMain.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddingCacheTest {
    private static final String KEY = "local:all-MiniLM-L6-v2-q";
    private static final int DIM = 8;

    @TempDir
    Path dir;

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private EmbeddingCache open(String key) {
        return EmbeddingCache.open(dir, key, warnings::add);
    }

    /** Entries {@code from .. to-1}, in order, so record positions in the file are known. */
    private static Map<String, float[]> entries(int from, int to, int dimension) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            m.put(text(i), vector(i, dimension));
        }
        return m;
    }

    private static void assertBitExact(float[] expected, float[] actual) {
        assertNotNull(actual);
        assertEquals(expected.length, actual.length);
        for (int d = 0; d < expected.length; d++) {
            assertEquals(Float.floatToRawIntBits(expected[d]), Float.floatToRawIntBits(actual[d]), "component " + d);
        }
    }

    private static void assertHas(EmbeddingCache cache, int from, int to, int dimension) {
        for (int i = from; i < to; i++) {
            assertBitExact(vector(i, dimension), cache.get(text(i)));
        }
    }

    private void assertNoWarnings() {
        assertEquals(List.of(), warnings);
    }

    @Test
    void defaultDirFollowsXdgElseHome() {
        assertEquals(Path.of("/x/cache", "srouter"), EmbeddingCache.defaultDir(Map.of("XDG_CACHE_HOME", "/x/cache")));
        Path home = Path.of(System.getProperty("user.home"), ".cache", "srouter");
        assertEquals(home, EmbeddingCache.defaultDir(Map.of()));
        assertEquals(home, EmbeddingCache.defaultDir(Map.of("XDG_CACHE_HOME", " ")));
    }

    @Test
    void fileNameIsReadablePrefixPlusHash() {
        String name = EmbeddingCache.file(dir, KEY).getFileName().toString();
        assertTrue(name.matches("local_all-MiniLM-L6-v2-q-[0-9a-f]{8}\\.emb"), name);
        String remote = EmbeddingCache.file(dir, "openai:text-embedding-3-small@https://example.com/v1/" + "x".repeat(200))
                .getFileName().toString();
        assertTrue(remote.matches("openai_text-embedding-3-small_https___example\\.com_v1_x*-[0-9a-f]{8}\\.emb"), remote);
        assertTrue(remote.length() < 100, remote);
    }

    @Test
    void putThenReopenGivesBitExactVectors() {
        Map<String, float[]> stored = entries(0, 20, DIM);
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(0, cache.size());
            assertNull(cache.get(text(0)));
            cache.putAll(stored);
            assertEquals(20, cache.size());
            assertHas(cache, 0, 20, DIM);
        }
        stored.values().forEach(v -> v[3] = 42f); // the cache copied on put
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(20, cache.size());
            assertHas(cache, 0, 20, DIM);
            assertNull(cache.get("never stored"));
        }
        assertTrue(Files.exists(EmbeddingCache.file(dir, KEY)));
        assertNoWarnings();
    }

    @Test
    void storingAgainDoesNotGrowTheFile() throws IOException {
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(entries(0, 10, DIM));
        }
        long size = Files.size(EmbeddingCache.file(dir, KEY));
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(entries(0, 10, DIM));
            cache.putAll(Map.of());
        }
        assertEquals(size, Files.size(EmbeddingCache.file(dir, KEY)));
        assertEquals(EmbeddingCache.headerSize(KEY) + 10L * EmbeddingCache.recordSize(DIM), size);
        assertNoWarnings();
    }

    @Test
    void differentKeysUseDifferentFilesWithoutCrosstalk() {
        String other = "openai:text-embedding-3-small@http://localhost:1234/v1";
        try (EmbeddingCache a = open(KEY); EmbeddingCache b = open(other)) {
            a.putAll(entries(0, 5, DIM));
            b.putAll(Map.of(text(0), vector(100, 4), text(99), vector(99, 4)));
        }
        assertNotEquals(EmbeddingCache.file(dir, KEY), EmbeddingCache.file(dir, other));
        try (EmbeddingCache a = open(KEY); EmbeddingCache b = open(other)) {
            assertEquals(5, a.size());
            assertHas(a, 0, 5, DIM);
            assertNull(a.get(text(99)));
            assertEquals(2, b.size());
            assertBitExact(vector(100, 4), b.get(text(0)));
            assertNull(b.get(text(1)));
        }
        assertNoWarnings();
    }

    @Test
    void truncatedTailLoadsEarlierEntriesWarnsOnceAndIsRepaired() throws IOException {
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(entries(0, 10, DIM));
        }
        Path file = EmbeddingCache.file(dir, KEY);
        long size = Files.size(file);
        truncate(file, size - EmbeddingCache.recordSize(DIM) / 2);
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(9, cache.size());
            assertHas(cache, 0, 9, DIM);
            assertNull(cache.get(text(9)));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("was damaged after 9 entries; it will be repaired"), warnings.get(0));
            cache.putAll(entries(9, 12, DIM));
            assertEquals(1, warnings.size(), "the repair does not warn again: " + warnings);
        }
        assertEquals(size + 2L * EmbeddingCache.recordSize(DIM), Files.size(file));
        warnings.clear();
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(12, cache.size());
            assertHas(cache, 0, 12, DIM);
        }
        assertNoWarnings();
    }

    @Test
    void crcCorruptedMiddleRecordKeepsTheEntriesBeforeIt() throws IOException {
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(entries(0, 10, DIM));
        }
        Path file = EmbeddingCache.file(dir, KEY);
        long fifth = EmbeddingCache.headerSize(KEY) + 4L * EmbeddingCache.recordSize(DIM);
        flipByte(file, fifth + 16 + 5); // inside the floats of record 4
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(4, cache.size());
            assertHas(cache, 0, 4, DIM);
            assertNull(cache.get(text(4)));
            assertNull(cache.get(text(7)));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("damaged after 4 entries"), warnings.get(0));
            cache.putAll(entries(4, 5, DIM));
        }
        assertEquals(EmbeddingCache.headerSize(KEY) + 5L * EmbeddingCache.recordSize(DIM), Files.size(file),
                "the repair truncated the damaged record and everything after it");
        warnings.clear();
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(5, cache.size());
            assertHas(cache, 0, 5, DIM);
        }
        assertNoWarnings();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "garbage", "magic", "version", "other-key", "short-header", "dimension", "records-without-dimension"
    })
    void badFileIsRebuiltWithAWarning(String damage) throws IOException {
        Path file = EmbeddingCache.file(dir, KEY);
        String expected;
        switch (damage) {
            case "garbage" -> {
                byte[] junk = new byte[5000];
                new Random(7).nextBytes(junk);
                Files.write(file, junk);
                expected = "is not an srouter embedding cache";
            }
            case "magic" -> {
                writeGoodFile();
                flipByte(file, 0);
                expected = "is not an srouter embedding cache";
            }
            case "version" -> {
                writeGoodFile();
                flipByte(file, 8);
                expected = "has format version";
            }
            case "other-key" -> {
                try (EmbeddingCache other = open("local:bge-small-en-v1.5-q")) {
                    other.putAll(entries(0, 3, DIM));
                }
                Files.move(EmbeddingCache.file(dir, "local:bge-small-en-v1.5-q"), file);
                expected = "was written for another encoder";
            }
            case "short-header" -> {
                writeGoodFile();
                truncate(file, EmbeddingCache.headerSize(KEY) - 2);
                expected = "has a truncated header";
            }
            case "dimension" -> {
                writeGoodFile();
                flipByte(file, EmbeddingCache.headerSize(KEY) - 1); // high byte of the dimension
                expected = "has an invalid dimension";
            }
            default -> {
                writeGoodFile();
                ByteBuffer zero = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0);
                writeAt(file, EmbeddingCache.headerSize(KEY) - 4, zero.array());
                expected = "was damaged after 0 entries";
            }
        }
        warnings.clear();
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(0, cache.size());
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains(expected), warnings.get(0));
            cache.putAll(entries(10, 15, DIM));
            assertEquals(5, cache.size());
        }
        warnings.clear();
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(5, cache.size());
            assertHas(cache, 10, 15, DIM);
        }
        assertNoWarnings();
    }

    @Test
    void emptyOrHeaderOnlyFileIsNotAProblem() throws IOException {
        Path file = EmbeddingCache.file(dir, KEY);
        Files.createFile(file);
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(0, cache.size());
        }
        assertEquals(EmbeddingCache.headerSize(KEY), Files.size(file));
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(entries(0, 2, DIM));
        }
        assertNoWarnings();
    }

    @Test
    void createsMissingParentDirectories() {
        Path nested = dir.resolve("a/b/c");
        try (EmbeddingCache cache = EmbeddingCache.open(nested, KEY, warnings::add)) {
            cache.putAll(entries(0, 1, DIM));
        }
        assertTrue(Files.exists(EmbeddingCache.file(nested, KEY)));
        assertNoWarnings();
    }

    @Test
    void unusableDirectoryMeansNoCacheAndAWarning() throws IOException {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        try (EmbeddingCache cache = EmbeddingCache.open(notADir, KEY, warnings::add)) {
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("could not be opened"), warnings.get(0));
            cache.putAll(entries(0, 3, DIM));
            assertEquals(0, cache.size());
            assertNull(cache.get(text(0)));
        }
        assertEquals(1, warnings.size());
        try (EmbeddingCache cache = EmbeddingCache.open(notADir.resolve("below"), KEY, warnings::add)) {
            assertNull(cache.get(text(0)));
        }
        assertEquals(2, warnings.size());
    }

    @Test
    void vectorsOfAnotherDimensionAreSkippedWithAWarning() {
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(entries(0, 3, DIM));
            Map<String, float[]> mixed = new LinkedHashMap<>(entries(3, 5, DIM));
            mixed.put(text(5), vector(5, DIM + 1));
            cache.putAll(mixed);
            assertEquals(5, cache.size());
            assertNull(cache.get(text(5)));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("holds 8-dimensional vectors; not storing 1 vector(s) of length 9"),
                    warnings.get(0));
        }
        warnings.clear();
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(5, cache.size());
            assertHas(cache, 0, 5, DIM);
        }
        assertNoWarnings();
    }

    @Test
    void putAllPicksUpWhatOthersAppendedSinceOpen() {
        try (EmbeddingCache a = open(KEY); EmbeddingCache b = open(KEY)) {
            b.putAll(entries(0, 5, DIM));
            assertNull(a.get(text(0)), "not re-read on every lookup");
            a.putAll(entries(3, 8, DIM));
            assertEquals(8, a.size());
            assertHas(a, 0, 8, DIM);
        }
        assertEquals(EmbeddingCache.headerSize(KEY) + 8L * EmbeddingCache.recordSize(DIM),
                sizeOf(EmbeddingCache.file(dir, KEY)), "entries both stored are written once");
        assertNoWarnings();
    }

    @Test
    void twoProcessesAppendingAtOnceLoseNothing() throws Exception {
        String key = "test:two-processes";
        List<Process> children = new ArrayList<>();
        Path go = dir.resolve("go");
        for (int c = 0; c < 2; c++) {
            Path ready = dir.resolve("ready" + c);
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CacheWriterMain.class.getName(),
                    dir.resolve("cache").toString(), key, String.valueOf(c * 500), "500", ready.toString(), go.toString());
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("out" + c).toFile());
            children.add(pb.start());
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(dir.resolve("ready0")) && Files.exists(dir.resolve("ready1")))) {
                assertTrue(System.nanoTime() < deadline, "children did not start");
                assertTrue(children.stream().allMatch(Process::isAlive), "a child exited early");
                Thread.sleep(10);
            }
            Files.createFile(go);
            for (int c = 0; c < 2; c++) {
                assertTrue(children.get(c).waitFor(120, TimeUnit.SECONDS), "child " + c + " timed out");
                assertEquals(0, children.get(c).exitValue(), "child " + c + ": " + Files.readString(dir.resolve("out" + c)));
            }
        } finally {
            children.forEach(Process::destroyForcibly);
        }
        assertReloadsAll(dir.resolve("cache"), key, 1000);
    }

    @Test
    void twoThreadsWithTwoInstancesLoseNothing() throws Exception {
        String key = "test:two-instances";
        CyclicBarrier start = new CyclicBarrier(2);
        try (EmbeddingCache a = open(key); EmbeddingCache b = open(key)) {
            runConcurrently(start, () -> CacheWriterMain.write(a, 0, 500), () -> CacheWriterMain.write(b, 500, 500));
            IntStream.range(0, 500).forEach(i -> assertNotNull(a.get(text(i))));
            IntStream.range(500, 1000).forEach(i -> assertNotNull(b.get(text(i))));
        }
        assertNoWarnings();
        assertReloadsAll(dir, key, 1000);
    }

    @Test
    void twoThreadsSharingOneInstanceLoseNothing() throws Exception {
        String key = "test:one-instance";
        CyclicBarrier start = new CyclicBarrier(2);
        try (EmbeddingCache cache = open(key)) {
            runConcurrently(start, () -> CacheWriterMain.write(cache, 0, 500), () -> {
                CacheWriterMain.write(cache, 500, 500);
                IntStream.range(0, 1000).forEach(i -> cache.get(text(i)));
            });
            assertEquals(1000, cache.size());
        }
        assertNoWarnings();
        assertReloadsAll(dir, key, 1000);
    }

    @Test
    void tenThousandVectorsRoundTrip() {
        // How fast this opens is measured in docs/benchmarks.md, never asserted here.
        int dimension = 384;
        Map<String, float[]> many = new LinkedHashMap<>();
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            float[] v = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                v[d] = random.nextFloat();
            }
            many.put("query " + i, v);
        }
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(many);
        }
        try (EmbeddingCache cache = open(KEY)) {
            assertEquals(10_000, cache.size());
            assertArrayEquals(many.get("query 0"), cache.get("query 0"));
            assertArrayEquals(many.get("query 9999"), cache.get("query 9999"));
        }
        assertNoWarnings();
    }

    private void assertReloadsAll(Path cacheDir, String key, int count) throws IOException {
        List<String> reopenWarnings = new ArrayList<>();
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir, key, reopenWarnings::add)) {
            assertEquals(count, cache.size());
            assertHas(cache, 0, count, CacheWriterMain.DIMENSION);
        }
        assertEquals(List.of(), reopenWarnings);
        assertEquals(EmbeddingCache.headerSize(key) + (long) count * EmbeddingCache.recordSize(CacheWriterMain.DIMENSION),
                Files.size(EmbeddingCache.file(cacheDir, key)), "every entry is stored exactly once");
    }

    private static void runConcurrently(CyclicBarrier start, Runnable first, Runnable second) throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (Runnable r : List.of(first, second)) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    r.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(120));
            assertFalse(t.isAlive(), "a writer thread hung");
        }
        assertEquals(List.of(), failures);
    }

    private void writeGoodFile() {
        try (EmbeddingCache cache = open(KEY)) {
            cache.putAll(entries(0, 3, DIM));
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5a);
        }
    }

    private static void writeAt(Path file, long position, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            raf.write(bytes);
        }
    }
}
