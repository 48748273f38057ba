package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --encoder onnx:DIR} on real models: the bundled ones and langchain4j's fp32 all-MiniLM-L6-v2, unpacked into a
 * directory the way an ONNX export lays them out, with and without sentence-transformers' config files.
 */
class OnnxDirectoryEncoderTest {
    @TempDir
    Path dir;

    /** Texts of many shapes and lengths: punctuation, digits, emoji, accents, one past the bundled model's limit. */
    static List<String> variedTexts(int n) {
        String[] words = {"order", "refund", "where", "is", "my", "card", "charged", "twice", "hello", "politics", "weather", "login",
            "app", "crash", "🚚", "café", "naïve", "42", "?", "!", "don't", "e-mail", "Straße", "billing", "plan", "invoice"};
        List<String> out = new ArrayList<>();
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < n; i++) {
            int len = 1 + random.nextInt(i % 50 == 0 ? 300 : 14);
            StringBuilder b = new StringBuilder();
            for (int w = 0; w < len; w++) {
                b.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
            }
            out.add(b.toString());
        }
        return out;
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = OnnxDirectoryEncoderTest.class.getClassLoader().getResourceAsStream(name)) {
            assertTrue(in != null, name + " on the test classpath");
            Files.createDirectories(to.getParent());
            Files.copy(in, to);
        }
    }

    /** A directory as a sentence-transformers export lays it out, with the pooling module's config. */
    private Path export(String name, String onnxResource, String tokenizerResource, String pooling) throws IOException {
        Path d = dir.resolve(name);
        copyResource(onnxResource, d.resolve("onnx").resolve("model.onnx"));
        copyResource(tokenizerResource, d.resolve("tokenizer.json"));
        if (pooling != null) {
            Files.writeString(d.resolve("modules.json"), """
                    [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                     {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                     {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                    """);
            Files.createDirectories(d.resolve("1_Pooling"));
            Files.writeString(d.resolve("1_Pooling").resolve("config.json"), "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": "
                    + pooling.equals("cls") + ", \"pooling_mode_mean_tokens\": " + pooling.equals("mean") + "}");
        }
        return d;
    }

    private static void assertSameVectors(Encoder expected, Encoder got, List<String> texts) {
        List<float[]> a = expected.encode(texts, Encoder.Input.DOCUMENT);
        List<float[]> b = got.encode(texts, Encoder.Input.DOCUMENT);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "text " + i + ": " + texts.get(i));
        }
    }

    @Test
    void theBundledModelsFromADirectoryGiveTheBundledVectorsBitForBit() throws IOException {
        List<String> texts = variedTexts(300);
        Path minilm = export("minilm", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", "mean");
        Files.writeString(minilm.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256, \"do_lower_case\": false}");
        try (LocalOnnxEncoder bundled = new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q);
                LocalOnnxEncoder fromDir = (LocalOnnxEncoder) Encoders.create("onnx:" + minilm, null, null, java.util.Map.of())) {
            assertEquals("onnx:" + minilm, fromDir.name());
            assertFalse(fromDir.asymmetric());
            assertSameVectors(bundled, fromDir, texts);
        }
        // BGE pools the CLS token: read from the pooling config, which is what makes the vectors equal.
        Path bge = export("bge", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", "cls");
        try (LocalOnnxEncoder bundled = new LocalOnnxEncoder(LocalOnnxEncoder.Model.BGE_SMALL_EN_V15_Q);
                LocalOnnxEncoder fromDir = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(bge.toString(), OnnxModelSpec.Overrides.NONE));
                LocalOnnxEncoder meanOverride = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(bge.toString(),
                        new OnnxModelSpec.Overrides("mean", null, null, null)))) {
            assertSameVectors(bundled, fromDir, texts.subList(0, 100));
            float[] cls = fromDir.encode(List.of("where is my order"), Encoder.Input.DOCUMENT).get(0);
            float[] mean = meanOverride.encode(List.of("where is my order"), Encoder.Input.DOCUMENT).get(0);
            assertFalse(java.util.Arrays.equals(cls, mean), "--onnx-pooling overrides the config");
            assertTrue(!fromDir.cacheKey().equals(meanOverride.cacheKey()), "settings that change vectors change the cache key");
        }
    }

    @Test
    void langchain4jsFp32MiniLmFromADirectoryMatchesLangchain4jsOwnEncoder() throws IOException {
        Path d = dir.resolve("fp32");
        copyResource("all-minilm-l6-v2.onnx", d.resolve("model.onnx"));
        copyResource("all-minilm-l6-v2-tokenizer.json", d.resolve("tokenizer.json"));
        var reference = new dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel();
        try (LocalOnnxEncoder fromDir = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(d.toString(),
                new OnnxModelSpec.Overrides(null, 256, null, null)))) {
            assertEquals(384, fromDir.dimension(), "read from the graph's output when there is no config.json");
            // langchain4j splits a text past the model's limit into parts and averages them, where sentence-transformers
            // truncates (as srouter does): they agree on texts within the limit.
            for (String text : variedTexts(60).stream().filter(t -> t.split(" ").length < 100).toList()) {
                float[] expected = reference.embed(text).content().vector();
                float[] got = fromDir.encode(List.of(text), Encoder.Input.DOCUMENT).get(0);
                double cos = 0;
                for (int k = 0; k < got.length; k++) {
                    cos += expected[k] * got[k];
                }
                assertEquals(1.0, cos, 1e-5, text);
            }
        }
    }

    @Test
    void aFloat32ExportRunsEqualLengthTextsAsBatchesWithEveryVectorBitIdenticalToItsOwn() throws IOException {
        Path d = dir.resolve("fp32");
        copyResource("all-minilm-l6-v2.onnx", d.resolve("model.onnx"));
        copyResource("all-minilm-l6-v2-tokenizer.json", d.resolve("tokenizer.json"));
        List<String> texts = variedTexts(2000);
        try (LocalOnnxEncoder fp32 = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(d.toString(), new OnnxModelSpec.Overrides(null, 256, null, null)));
                LocalOnnxEncoder q = new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q)) {
            assertTrue(fp32.batchesExactly(), "a float32 graph gives a batch's rows the texts' own vectors");
            assertFalse(q.batchesExactly(), "the quantized one does not (its activation scale spans the batch)");
            java.util.Map<Integer, Integer> lengths = new java.util.HashMap<>();
            texts.forEach(t -> lengths.merge(fp32.tokenLength(t), 1, Integer::sum));
            assertTrue(lengths.values().stream().anyMatch(n -> n > LocalOnnxEncoder.MAX_BATCH), "some lengths fill whole batches: " + lengths);
            List<float[]> batched = fp32.encode(texts, Encoder.Input.DOCUMENT);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(fp32.encode(List.of(texts.get(i)), Encoder.Input.DOCUMENT).get(0), batched.get(i), "text " + i + ": " + texts.get(i));
            }
        }
    }

    @Test
    void promptsOfTheExportPrefixQueriesAndDocuments() throws IOException {
        Path d = export("e5like", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", "mean");
        Files.writeString(d.resolve("config_sentence_transformers.json"),
                "{\"prompts\": {\"query\": \"query: \", \"passage\": \"passage: \"}, \"default_prompt_name\": null}");
        try (LocalOnnxEncoder e5 = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(d.toString(), OnnxModelSpec.Overrides.NONE));
                LocalOnnxEncoder plain = new LocalOnnxEncoder(LocalOnnxEncoder.Model.ALL_MINILM_L6_V2_Q);
                LocalOnnxEncoder overridden = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(d.toString(),
                        new OnnxModelSpec.Overrides(null, null, "", "")))) {
            assertTrue(e5.asymmetric());
            assertArrayEquals(plain.encode(List.of("query: where is my order"), Encoder.Input.DOCUMENT).get(0),
                    e5.encode(List.of("where is my order"), Encoder.Input.QUERY).get(0));
            assertArrayEquals(plain.encode(List.of("passage: where is my order"), Encoder.Input.DOCUMENT).get(0),
                    e5.encode(List.of("where is my order"), Encoder.Input.DOCUMENT).get(0));
            assertFalse(overridden.asymmetric(), "--onnx-query-prefix '' and --onnx-document-prefix '' turn them off");
        }
    }

    @Test
    void aWrongDirectoryGetsOneClearMessage() throws IOException {
        SrouterException missing = assertThrows(SrouterException.class,
                () -> Encoders.create("onnx:" + dir.resolve("nope"), null, null, java.util.Map.of()));
        assertEquals(ExitCode.USAGE, missing.exitCode());
        assertTrue(missing.getMessage().contains("no such file or directory"), missing.getMessage());

        SrouterException noDir = assertThrows(SrouterException.class, () -> Encoders.create("onnx", null, null, java.util.Map.of()));
        assertTrue(noDir.getMessage().contains("--encoder onnx:DIR"), noDir.getMessage());

        Path noModel = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(noModel.resolve("tokenizer.json"), "{}");
        assertTrue(assertThrows(SrouterException.class, () -> OnnxModelSpec.fromDirectory(noModel.toString(), OnnxModelSpec.Overrides.NONE))
                .getMessage().contains("no model.onnx in"));

        Path noTokenizer = Files.createDirectories(dir.resolve("notok"));
        copyResource("all-minilm-l6-v2-q.onnx", noTokenizer.resolve("model.onnx"));
        assertTrue(assertThrows(SrouterException.class, () -> OnnxModelSpec.fromDirectory(noTokenizer.toString(), OnnxModelSpec.Overrides.NONE))
                .getMessage().contains("no tokenizer.json in"));

        Path maxPooling = export("maxpool", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", "mean");
        Files.writeString(maxPooling.resolve("1_Pooling").resolve("config.json"), "{\"pooling_mode_max_tokens\": true}");
        SrouterException max = assertThrows(SrouterException.class,
                () -> OnnxModelSpec.fromDirectory(maxPooling.toString(), OnnxModelSpec.Overrides.NONE));
        assertTrue(max.getMessage().contains("max_tokens pooling, which srouter does not do"), max.getMessage());
    }

    @Test
    void aModelWhoseOutputIsNotAnEmbeddingIsRefusedWhenLoaded() throws IOException {
        Path wrongInputs = Files.createDirectories(dir.resolve("wrong-inputs"));
        Files.write(wrongInputs.resolve("model.onnx"), TinyOnnx.identity("x", TinyOnnx.FLOAT, "y"));
        copyResource("all-minilm-l6-v2-q-tokenizer.json", wrongInputs.resolve("tokenizer.json"));
        try (LocalOnnxEncoder e = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(wrongInputs.toString(), OnnxModelSpec.Overrides.NONE))) {
            SrouterException ex = assertThrows(SrouterException.class, () -> e.encode(List.of("hi"), Encoder.Input.QUERY));
            assertEquals(ExitCode.USAGE, ex.exitCode());
            assertTrue(ex.getMessage().contains("is not a sentence-embedding model") && ex.getMessage().contains("[x]"), ex.getMessage());
        }
        Path noVectors = Files.createDirectories(dir.resolve("no-vectors"));
        Files.write(noVectors.resolve("model.onnx"), TinyOnnx.identity("attention_mask", TinyOnnx.INT64, "logits", "input_ids"));
        copyResource("all-minilm-l6-v2-q-tokenizer.json", noVectors.resolve("tokenizer.json"));
        try (LocalOnnxEncoder e = new LocalOnnxEncoder(OnnxModelSpec.fromDirectory(noVectors.toString(), OnnxModelSpec.Overrides.NONE))) {
            SrouterException ex = assertThrows(SrouterException.class, () -> e.encode(List.of("hi"), Encoder.Input.QUERY));
            assertTrue(ex.getMessage().contains("none of its outputs is token vectors"), ex.getMessage());
        }
    }

    /** ONNX models of one Identity node, written as protobuf by hand (onnx.proto's field numbers), for the refusals. */
    static final class TinyOnnx {
        static final int FLOAT = 1;
        static final int INT64 = 7;

        /** {@code output = Identity(input)}, both of {@code elemType} and shape [batch, 8]; {@code extraInputs} unused, INT64. */
        static byte[] identity(String input, int elemType, String output, String... extraInputs) {
            Proto node = new Proto().string(1, input).string(2, output).string(3, "n").string(4, "Identity");
            Proto graph = new Proto().message(1, node).string(2, "g").message(11, valueInfo(input, elemType));
            for (String extra : extraInputs) {
                graph.message(11, valueInfo(extra, INT64));
            }
            graph.message(12, valueInfo(output, elemType));
            return new Proto().varint(1, 7).message(7, graph).message(8, new Proto().string(1, "").varint(2, 13)).bytes();
        }

        private static Proto valueInfo(String name, int elemType) {
            Proto shape = new Proto().message(1, new Proto().string(2, "batch")).message(1, new Proto().varint(1, 8));
            Proto tensor = new Proto().varint(1, elemType).message(2, shape);
            return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
        }

        /** The protobuf wire format's three field kinds this needs. */
        private static final class Proto {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();

            Proto varint(int field, long value) {
                raw(field << 3);
                raw(value);
                return this;
            }

            Proto string(int field, String s) {
                return bytes(field, s.getBytes(StandardCharsets.UTF_8));
            }

            Proto message(int field, Proto m) {
                return bytes(field, m.bytes());
            }

            private Proto bytes(int field, byte[] b) {
                raw((field << 3) | 2);
                raw(b.length);
                out.writeBytes(b);
                return this;
            }

            private void raw(long v) {
                while ((v & ~0x7FL) != 0) {
                    out.write((int) ((v & 0x7F) | 0x80));
                    v >>>= 7;
                }
                out.write((int) v);
            }

            byte[] bytes() {
                return out.toByteArray();
            }
        }
    }
}
