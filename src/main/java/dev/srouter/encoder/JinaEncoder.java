package dev.srouter.encoder;

import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Embeddings from Jina AI's {@code POST /v1/embeddings} (https://jina.ai/embeddings, spec at
 * https://api.jina.ai/openapi.json), with an {@code Authorization: Bearer} key and OpenAI's response shape.
 *
 * <p>Jina's v3 models take a {@code task} ({@code retrieval.query}, {@code retrieval.passage}, ...) that selects a LoRA
 * adapter, but semantic-router 0.1.16's {@code JinaEncoder} sends none: it goes through litellm, whose Jina request is
 * {@code {"model","input"}} plus only {@code dimensions} when asked. Vectors here must equal a Python service's, so no
 * task is sent either: queries and documents get the same request, and the encoder is symmetric.
 */
public final class JinaEncoder extends OpenAiShapedEncoder {

    public static final String TYPE = "jina";
    /** What {@code --encoder} can call it: srouter's name, then semantic-router's encoder_type. */
    public static final List<String> NAMES = List.of(TYPE, "jina_ai");
    /** semantic-router's default ({@code EncoderDefault.JINA}). */
    public static final String DEFAULT_MODEL = "jina-embeddings-v3";
    public static final String DEFAULT_BASE_URL = "https://api.jina.ai/v1";
    /** Jina's documented variable, then the one semantic-router (litellm's {@code jina_ai}) reads. */
    public static final String KEY_VARIABLE = "JINA_API_KEY";
    static final String ALTERNATE_KEY_VARIABLE = "JINA_AI_API_KEY";
    /** Inputs per request for the v2/v3 text models: more fail with "larger than the largest allowed size 2048". */
    public static final int MAX_BATCH = 2048;
    /** semantic-router's {@code JinaEncoder} default {@code score_threshold}. */
    static final double DEFAULT_THRESHOLD = 0.4;

    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "jina-embeddings-v3", 1024,
            "jina-embeddings-v2-base-en", 768,
            "jina-embeddings-v2-base-de", 768,
            "jina-embeddings-v2-base-es", 768,
            "jina-embeddings-v2-base-zh", 768,
            "jina-embeddings-v2-base-code", 768);

    private static final Provider PROVIDER = new Provider(TYPE, DEFAULT_BASE_URL, DEFAULT_MODEL,
            List.of(KEY_VARIABLE, ALTERNATE_KEY_VARIABLE), MAX_BATCH, DEFAULT_THRESHOLD, KNOWN_DIMENSIONS,
            KEY_VARIABLE + " (or " + ALTERNATE_KEY_VARIABLE + ") is not set: set it to use Jina AI");

    public JinaEncoder(Config config) {
        this(config, KEY_VARIABLE, null);
    }

    /**
     * @param keyVariable the variable the key came from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    JinaEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(requireModel(config, "Jina"), keyVariable, sleeper);
    }

    /**
     * @param model null for {@link #DEFAULT_MODEL}
     * @param url a base URL instead of Jina's own (a proxy), or null
     * @param env reads {@code JINA_API_KEY}, else {@code JINA_AI_API_KEY}
     */
    public static JinaEncoder create(String model, String url, Map<String, String> env) {
        return PROVIDER.create(model, url, env, JinaEncoder::new);
    }

    @Override
    protected Provider provider() {
        return PROVIDER;
    }
}
