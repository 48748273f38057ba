package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What {@code --encoder} and a routes file's {@code encoder_type}/{@code encoder_name} turn into: every srouter name and
 * every value semantic-router 0.1.x writes (its {@code EncoderType} and each encoder's {@code type}) maps to the encoder
 * that makes the same vectors, or to a message saying srouter has none. Nothing is embedded here.
 */
class EncodersTest {
    /** Enough environment for every provider to be built (Azure's endpoint, TEI's URL); no real key. */
    private static final Map<String, String> ENV = Map.of("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com",
            "HF_API_URL", "http://127.0.0.1:9/", "AWS_REGION", "us-east-1");

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(nullValues = "-", value = {
        // srouter's own names
        "local, -, LocalOnnxEncoder, local:all-MiniLM-L6-v2-q",
        "local:bge-small-en-v1.5, -, LocalOnnxEncoder, local:bge-small-en-v1.5-q",
        "openai, -, OpenAiEncoder, openai:text-embedding-3-small",
        "openai:text-embedding-3-large, -, OpenAiEncoder, openai:text-embedding-3-large",
        "azure, -, AzureOpenAiEncoder, azure:text-embedding-3-small",
        "cohere, -, CohereEncoder, cohere:embed-english-v3.0",
        "google, -, GoogleEncoder, google:gemini-embedding-001",
        "bedrock, -, BedrockEncoder, bedrock:amazon.titan-embed-image-v1",
        "bedrock:amazon.titan-embed-text-v2:0, -, BedrockEncoder, bedrock:amazon.titan-embed-text-v2:0",
        "mistral, -, MistralEncoder, mistral:mistral-embed",
        "voyage, -, VoyageEncoder, voyage:voyage-3-lite",
        "jina, -, JinaEncoder, jina:jina-embeddings-v3",
        "nim, -, NimEncoder, nim:nvidia/nv-embedqa-e5-v5",
        "ollama:nomic-embed-text, -, OllamaEncoder, ollama:nomic-embed-text",
        "tei, -, TeiEncoder, tei:hugging_face_custom_endpoint",
        // semantic-router's encoder_type + encoder_name, as its routes files carry them
        "huggingface, sentence-transformers/all-MiniLM-L6-v2, LocalOnnxEncoder, local:all-MiniLM-L6-v2-q",
        "fastembed, BAAI/bge-small-en-v1.5, LocalOnnxEncoder, local:bge-small-en-v1.5-q",
        "openai, text-embedding-3-small, OpenAiEncoder, openai:text-embedding-3-small",
        "cohere, embed-multilingual-v3.0, CohereEncoder, cohere:embed-multilingual-v3.0",
        "jina_ai, jina-embeddings-v3, JinaEncoder, jina:jina-embeddings-v3",
        "nvidia_nim, nvidia/nv-embedqa-e5-v5, NimEncoder, nim:nvidia/nv-embedqa-e5-v5",
        "litellm, mistral/mistral-embed, MistralEncoder, mistral:mistral-embed",
        "litellm, voyage/voyage-3, VoyageEncoder, voyage:voyage-3",
    })
    void aNameBecomesTheEncoderThatMakesItsVectors(String spec, String model, String className, String name) {
        try (Encoder e = Encoders.create(spec, model, null, ENV)) {
            assertEquals(className, e.getClass().getSimpleName());
            assertEquals(name, e.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"bm25, a sparse encoder", "tfidf, a sparse encoder", "aurelio, a sparse encoder", "sparse, a sparse encoder",
        "clip, an image encoder", "vit, an image encoder"})
    void semanticRoutersSparseAndImageEncodersAreSaidToHaveNoEquivalent(String type, String what) {
        SrouterException e = assertThrows(SrouterException.class, () -> Encoders.create(type, null, null, ENV));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("semantic-router's '" + type + "' encoder is " + what)
                && e.getMessage().contains("has no encoder that makes its vectors"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource({"huggingface, sentence-transformers/all-mpnet-base-v2", "fastembed, BAAI/bge-base-en-v1.5"})
    void aHuggingFaceModelSrouterDoesNotBundleIsPointedAtOnnxDir(String type, String model) {
        SrouterException e = assertThrows(SrouterException.class, () -> Encoders.create(type, model, null, ENV));
        assertTrue(e.getMessage().contains("optimum-cli export onnx --model " + model) && e.getMessage().contains("--encoder onnx:DIR"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cohere, true", "voyage, true", "openai, false", "mistral, false", "local, false"})
    void asymmetricProvidersAreKnownBeforeAnyCall(String spec, boolean asymmetric) {
        try (Encoder e = Encoders.create(spec, null, null, ENV)) {
            assertEquals(asymmetric, e.asymmetric());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cohre, cohere", "mistrall, mistral", "local:bge, local:bge-small-en-v1.5"})
    void aTypoGetsADidYouMean(String typed, String meant) {
        SrouterException e = assertThrows(SrouterException.class, () -> Encoders.create(typed, null, null, ENV));
        assertTrue(e.getMessage().contains("did you mean " + meant + "?"), e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"litellm, cohere", "onnx, onnx:DIR"})
    void aNameWithoutItsNecessaryPartSaysWhatIsMissing(String spec, String needs) {
        SrouterException e = assertThrows(SrouterException.class, () -> Encoders.create(spec, null, null, ENV));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains(needs), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"local", "cohere", "openai"})
    void buildingAnEncoderTouchesNothing(String spec) {
        try (Encoder e = Encoders.create(spec, null, null, ENV)) {
            if (e instanceof LocalOnnxEncoder local) {
                assertFalse(local.isLoaded());
            } else {
                assertInstanceOf(HttpEncoder.class, e);
                assertFalse(((HttpEncoder) e).clientCreated());
            }
        }
    }
}
