package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the real bundled ONNX model: no mocks. */
class LocalOnnxEncoderTest {
    private static LocalOnnxEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    private static double cos(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
        }
        return d;
    }

    @Test
    void reportsNameAndDimensionWithoutLoadingTheModel() {
        LocalOnnxEncoder fresh = new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q);
        assertEquals("local:all-MiniLM-L6-v2-q", fresh.name());
        assertEquals(384, fresh.dimension());
        assertFalse(fresh.isLoaded(), "naming the encoder must not load the model");
    }

    @Test
    void producesUnitVectorsThatPlaceParaphrasesCloserThanUnrelatedText() {
        List<float[]> v = encoder.encode(List.of("how's the weather today?", "what is the weather like today", "I want a refund for my order"), Encoder.Input.DOCUMENT);
        assertEquals(3, v.size());
        for (float[] x : v) {
            assertEquals(384, x.length);
            assertEquals(1.0, Math.sqrt(cos(x, x)), 1e-4);
        }
        double paraphrase = cos(v.get(0), v.get(1));
        double unrelated = cos(v.get(0), v.get(2));
        assertTrue(paraphrase > 0.7, "paraphrase similarity " + paraphrase);
        assertTrue(unrelated < 0.3, "unrelated similarity " + unrelated);
    }

    @Test
    void aTextGetsTheSameVectorAloneOrInABatch() {
        float[] alone = encoder.encode(List.of("where is my order? 🚚"), Encoder.Input.DOCUMENT).get(0);
        List<float[]> batch = encoder.encode(List.of("hello there", "where is my order? 🚚", "a much longer sentence about many things at once"), Encoder.Input.DOCUMENT);
        assertArrayEquals(alone, batch.get(1), "vectors must not depend on batch neighbours");
    }

    @Test
    void matchesLangchain4jsReferenceEmbedding() {
        var reference = new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel();
        float[] expected = reference.embed("isn't politics the best thing ever").content().vector();
        float[] got = encoder.encode(List.of("isn't politics the best thing ever"), Encoder.Input.DOCUMENT).get(0);
        assertEquals(1.0, cos(expected, got), 1e-4);
    }

    @Test
    void bgeSmallIsBundledToo() {
        try (LocalOnnxEncoder bge = new LocalOnnxEncoder(LocalOnnxEncoder.Model.BGE_SMALL_EN_V15_Q)) {
            List<float[]> v = bge.encode(List.of("how's the weather today?", "what is the weather like today", "refund my order"), Encoder.Input.DOCUMENT);
            assertEquals(384, v.get(0).length);
            assertEquals("local:bge-small-en-v1.5-q", bge.name());
            assertTrue(cos(v.get(0), v.get(1)) > cos(v.get(0), v.get(2)));
        }
    }

    @Test
    void modelNamesParseWithCommonSpellings() {
        assertEquals(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q, LocalOnnxEncoder.Model.parse("all-MiniLM-L6-v2"));
        assertEquals(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q, LocalOnnxEncoder.Model.parse("sentence-transformers/all-MiniLM-L6-v2"));
        assertEquals(LocalOnnxEncoder.Model.BGE_SMALL_EN_V15_Q, LocalOnnxEncoder.Model.parse("bge-small-en-v1.5"));
        assertEquals(LocalOnnxEncoder.Model.BGE_SMALL_EN_V15_Q, LocalOnnxEncoder.Model.parse("BAAI/bge-small-en-v1.5"));
        SrouterException e = assertThrows(SrouterException.class, () -> LocalOnnxEncoder.Model.parse("gpt-9"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        for (String partOfAName : List.of("bge", "minilm", "bge-small", "v1.5", "x-bge-small-en-v1.5")) {
            assertTrue(LocalOnnxEncoder.Model.find(partOfAName).isEmpty(), "names match whole, not by part: " + partOfAName);
        }
    }

    @Test
    void emptyInputNeedsNoModel() {
        LocalOnnxEncoder fresh = new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q);
        assertEquals(List.of(), fresh.encode(List.of(), Encoder.Input.DOCUMENT));
        assertFalse(fresh.isLoaded());
    }
}
