package dev.srouter.encoder;

import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Embeddings from OpenAI's {@code POST /embeddings} endpoint, or from any server that speaks the same
 * protocol (vLLM, LiteLLM, LM Studio, Ollama's {@code /v1}...), over {@link HttpEncoder}'s transport. The API key
 * is sent only as an {@code Authorization: Bearer} header. {@link Encoders} builds it for the CLI, with the base URL
 * from {@code OPENAI_BASE_URL} when none is given.
 */
public final class OpenAiEncoder extends OpenAiShapedEncoder {

    public static final String DEFAULT_MODEL = "text-embedding-3-small";
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    static final String KEY_VARIABLE = "OPENAI_API_KEY";

    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "text-embedding-3-small", 1536,
            "text-embedding-3-large", 3072,
            "text-embedding-ada-002", 1536);

    /** Without a key the user wants either OpenAI (set the key) or a local server, which needs no key but a URL. */
    static final String MISSING_KEY = "OPENAI_API_KEY is not set: set it to use OpenAI, or point --encoder-url (or OPENAI_BASE_URL) "
            + "at a local OpenAI-compatible server, which needs no key, e.g. Ollama: "
            + "--encoder openai:nomic-embed-text --encoder-url http://localhost:11434/v1";

    /**
     * 0.3: semantic-router's default score threshold for OpenAI embeddings. 512 texts per request, what {@link Encoders}
     * configures, below the 2048 inputs OpenAI accepts.
     */
    private static final Provider PROVIDER = new Provider("openai", DEFAULT_BASE_URL, DEFAULT_MODEL, List.of(KEY_VARIABLE),
            512, 0.3, KNOWN_DIMENSIONS, MISSING_KEY);

    public OpenAiEncoder(Config config) {
        this(config, null);
    }

    /** @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping) */
    OpenAiEncoder(Config config, LongConsumer sleeper) {
        super(requireModel(config, "OpenAI"), KEY_VARIABLE, sleeper);
    }

    @Override
    protected Provider provider() {
        return PROVIDER;
    }

    /** The vector length of an OpenAI embedding model (Azure deployments are usually named after theirs), else -1. */
    static int knownDimension(String model) {
        return KNOWN_DIMENSIONS.getOrDefault(model, -1);
    }
}
