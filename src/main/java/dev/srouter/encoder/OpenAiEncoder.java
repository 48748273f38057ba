package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Embeddings from OpenAI's {@code POST /embeddings} endpoint, or from any server that speaks the same
 * protocol (vLLM, LiteLLM, LM Studio, Ollama's {@code /v1}...), over {@link HttpEncoder}'s transport. The API key
 * is sent only as an {@code Authorization: Bearer} header.
 */
public final class OpenAiEncoder extends HttpEncoder {

    public static final String DEFAULT_MODEL = "text-embedding-3-small";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "text-embedding-3-small", 1536,
            "text-embedding-3-large", 3072,
            "text-embedding-ada-002", 1536);

    /** Without a key the user wants either OpenAI (set the key) or a local server, which needs no key but a URL. */
    static final String MISSING_KEY = "OPENAI_API_KEY is not set: set it to use OpenAI, or point --encoder-url (or OPENAI_BASE_URL) "
            + "at a local OpenAI-compatible server, which needs no key, e.g. Ollama: "
            + "--encoder openai:nomic-embed-text --encoder-url http://localhost:11434/v1";

    private final HttpUrl endpoint;
    private final boolean openAiItself;

    public OpenAiEncoder(Config config) {
        this(config, null);
    }

    /** @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping) */
    OpenAiEncoder(Config config, LongConsumer sleeper) {
        super(requireModel(config, "OpenAI"), "OPENAI_API_KEY", sleeper);
        this.endpoint = endpoint("embeddings");
        this.openAiItself = baseHostIs("api.openai.com");
    }

    @Override
    public String type() {
        return "openai";
    }

    @Override
    protected int knownDimension() {
        return knownDimension(config.model());
    }

    /** The vector length of an OpenAI embedding model (Azure deployments are usually named after theirs), else -1. */
    static int knownDimension(String model) {
        return KNOWN_DIMENSIONS.getOrDefault(model, -1);
    }

    /** semantic-router's default score threshold for OpenAI embeddings. */
    @Override
    public double defaultThreshold() {
        return 0.3;
    }

    @Override
    protected String exampleUrl() {
        return DEFAULT_BASE_URL;
    }

    /** OpenAI itself needs a key; a compatible server elsewhere may not. */
    @Override
    protected boolean requiresKey() {
        return openAiItself;
    }

    @Override
    protected String missingKeyMessage() {
        return MISSING_KEY;
    }

    @Override
    protected Request buildRequest(List<String> batch, Input input) {
        return bearerPost(endpoint, embeddingsBody(config.model(), batch));
    }

    /** Reads {@code {"data":[{"index":i,"embedding":[...]}...]}} into vectors ordered by index. */
    @Override
    protected List<float[]> readVectors(JsonNode root, int expected) {
        return readData(this, root, expected);
    }

    /** The OpenAI response shape, which Azure, Mistral, Voyage, Jina and NVIDIA NIM answer with too. */
    static List<float[]> readData(HttpEncoder encoder, JsonNode root, int expected) {
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw encoder.malformed("no \"data\" array");
        }
        if (data.size() != expected) {
            throw encoder.malformed(data.size() + " vectors for " + expected + " texts");
        }
        float[][] vectors = new float[expected][];
        for (int i = 0; i < expected; i++) {
            JsonNode item = data.get(i);
            JsonNode indexNode = item.get("index");
            int index = i;
            if (indexNode != null) {
                if (!indexNode.canConvertToInt() || !indexNode.isIntegralNumber()) {
                    throw encoder.malformed("item " + i + " has a non-integer index");
                }
                index = indexNode.intValue();
            }
            if (index < 0 || index >= expected || vectors[index] != null) {
                throw encoder.malformed("item " + i + " has index " + index + ", expected each of 0.." + (expected - 1) + " once");
            }
            vectors[index] = encoder.floats(item.get("embedding"), "item " + i);
        }
        return Arrays.asList(vectors);
    }
}
