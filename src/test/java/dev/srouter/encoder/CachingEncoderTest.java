package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingEncoderTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    /** Deterministic vectors, and a record of every text it was asked to encode. */
    private static class CountingEncoder implements Encoder {
        final List<String> asked = new ArrayList<>();
        int calls;

        @Override
        public String type() {
            return "fake";
        }

        @Override
        public String model() {
            return "counting";
        }

        @Override
        public int dimension() {
            return 4;
        }

        @Override
        public double defaultThreshold() {
            return 0.5;
        }

        @Override
        public synchronized List<float[]> encode(List<String> texts, Input input) {
            calls++;
            asked.addAll(texts);
            return texts.stream().map(t -> vectorFor(input == Input.QUERY && asymmetric() ? "query: " + t : t)).toList();
        }

        static float[] vectorFor(String text) {
            int h = text.hashCode();
            return Encoder.normalize(new float[] {h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, text.length()});
        }
    }

    /** Embeds a query as "query: TEXT", as e5 does. */
    private static final class AsymmetricEncoder extends CountingEncoder {
        @Override
        public boolean asymmetric() {
            return true;
        }
    }

    @Test
    void anAsymmetricEncodersQueriesAndDocumentsAreCachedApart() {
        try (CachingEncoder enc = caching(new AsymmetricEncoder())) {
            assertArrayEquals(CountingEncoder.vectorFor("where is my order"), enc.encode(List.of("where is my order"), Encoder.Input.DOCUMENT).get(0));
        }
        AsymmetricEncoder fake = new AsymmetricEncoder();
        try (CachingEncoder enc = caching(fake)) {
            assertArrayEquals(CountingEncoder.vectorFor("query: where is my order"), enc.encode(List.of("where is my order"), Encoder.Input.QUERY).get(0),
                    "a query is not answered with the document's vector");
            assertArrayEquals(CountingEncoder.vectorFor("where is my order"), enc.encode(List.of("where is my order"), Encoder.Input.DOCUMENT).get(0));
            assertArrayEquals(CountingEncoder.vectorFor("query: where is my order"), enc.encode(List.of("where is my order"), Encoder.Input.QUERY).get(0));
            assertEquals(List.of("where is my order"), fake.asked, "the query embedded once, the document taken from the cache");
        }
        CountingEncoder symmetric = new CountingEncoder();
        try (CachingEncoder enc = caching(symmetric)) {
            enc.encode(List.of("hello there"), Encoder.Input.DOCUMENT);
            enc.encode(List.of("hello there"), Encoder.Input.QUERY);
            assertEquals(1, symmetric.calls, "a symmetric encoder's query and document share one entry");
        }
    }

    private CachingEncoder caching(CountingEncoder fake) {
        return new CachingEncoder(fake, EmbeddingCache.open(dir, fake.cacheKey(), warnings::add));
    }

    private static void assertVectorsFor(List<String> texts, List<float[]> vectors) {
        assertEquals(texts.size(), vectors.size());
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(CountingEncoder.vectorFor(texts.get(i)), vectors.get(i), "vector " + i + " (" + texts.get(i) + ")");
        }
    }

    @Test
    void warmRunsEncodeOnlyWhatIsNew() {
        List<String> texts = List.of("book a flight", "what's the weather", "tell me a joke");
        CountingEncoder first = new CountingEncoder();
        try (CachingEncoder enc = caching(first)) {
            assertVectorsFor(texts, enc.encode(texts, Encoder.Input.DOCUMENT));
        }
        assertEquals(texts, first.asked);

        CountingEncoder second = new CountingEncoder();
        try (CachingEncoder enc = caching(second)) {
            assertVectorsFor(texts, enc.encode(texts, Encoder.Input.DOCUMENT));
        }
        assertEquals(0, second.asked.size());
        assertEquals(0, second.calls, "a fully cached run never calls the encoder");

        CountingEncoder third = new CountingEncoder();
        List<String> more = List.of("tell me a joke", "cancel my order", "book a flight", "play some music");
        try (CachingEncoder enc = caching(third)) {
            assertVectorsFor(more, enc.encode(more, Encoder.Input.DOCUMENT));
        }
        assertEquals(List.of("cancel my order", "play some music"), third.asked);
        assertEquals(List.of(), warnings);
    }

    @Test
    void duplicatesInOneCallAreEncodedOnce() {
        CountingEncoder fake = new CountingEncoder();
        List<String> texts = List.of("a", "b", "a", "c", "a", "b");
        try (CachingEncoder enc = caching(fake)) {
            assertVectorsFor(texts, enc.encode(texts, Encoder.Input.DOCUMENT));
        }
        assertEquals(List.of("a", "b", "c"), fake.asked);
        assertEquals(1, fake.calls);
    }

    @Test
    void vectorsComeBackInInputOrderWhenCachedAndNewAreMixed() {
        try (CachingEncoder enc = caching(new CountingEncoder())) {
            enc.encode(List.of("cached one", "cached two"), Encoder.Input.DOCUMENT);
        }
        CountingEncoder fake = new CountingEncoder();
        List<String> texts = List.of("new one", "cached two", "new two", "cached one", "new three");
        try (CachingEncoder enc = caching(fake)) {
            assertVectorsFor(texts, enc.encode(texts, Encoder.Input.DOCUMENT));
        }
        assertEquals(List.of("new one", "new two", "new three"), fake.asked);
    }

    @Test
    void readOnlyViewReadsButDoesNotStore() {
        try (CachingEncoder enc = caching(new CountingEncoder())) {
            enc.encode(List.of("route utterance"), Encoder.Input.DOCUMENT);
        }
        CountingEncoder fake = new CountingEncoder();
        try (CachingEncoder enc = caching(fake)) {
            CachingEncoder queries = enc.readOnly();
            List<String> texts = List.of("route utterance", "a streamed query");
            assertVectorsFor(texts, queries.encode(texts, Encoder.Input.DOCUMENT));
            assertVectorsFor(texts, queries.encode(texts, Encoder.Input.DOCUMENT));
            assertEquals(List.of("a streamed query", "a streamed query"), fake.asked, "not stored, so asked again");
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir, new CountingEncoder().cacheKey(), warnings::add)) {
            assertNotNull(cache.get("route utterance"));
            assertNull(cache.get("a streamed query"));
            assertEquals(1, cache.size());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void worksWithoutACacheFile() throws Exception {
        Path notADir = java.nio.file.Files.writeString(dir.resolve("file"), "x");
        CountingEncoder fake = new CountingEncoder();
        try (CachingEncoder enc = new CachingEncoder(fake, EmbeddingCache.open(notADir, fake.cacheKey(), warnings::add))) {
            List<String> texts = List.of("x", "y");
            assertVectorsFor(texts, enc.encode(texts, Encoder.Input.DOCUMENT));
            assertVectorsFor(texts, enc.encode(texts, Encoder.Input.DOCUMENT));
        }
        assertEquals(List.of("x", "y", "x", "y"), fake.asked);
        assertEquals(1, warnings.size(), warnings.toString());
    }
}
