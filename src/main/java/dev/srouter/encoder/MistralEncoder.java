package dev.srouter.encoder;

import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Embeddings from Mistral AI's {@code POST /v1/embeddings} (https://docs.mistral.ai/api/endpoint/embeddings), which takes
 * and answers OpenAI's shapes with an {@code Authorization: Bearer} key. semantic-router 0.1.16's {@code MistralEncoder}
 * sends {@code {"model","input"}} through litellm and nothing that depends on {@link Input}, so neither does this.
 *
 * <p>Mistral rejects more than 512 inputs, or more than 16384 tokens, in one request; batches stay within the first,
 * and route utterances are short enough for the second.
 */
public final class MistralEncoder extends OpenAiShapedEncoder {

    public static final String TYPE = "mistral";
    /** What {@code --encoder} can call it: srouter's name, which is also semantic-router's encoder_type. */
    public static final List<String> NAMES = List.of(TYPE);
    /** semantic-router's default ({@code EncoderDefault.MISTRAL}). */
    public static final String DEFAULT_MODEL = "mistral-embed";
    public static final String DEFAULT_BASE_URL = "https://api.mistral.ai/v1";
    /** Mistral's documented variable, then the one semantic-router reads first. */
    public static final String KEY_VARIABLE = "MISTRAL_API_KEY";
    static final String ALTERNATE_KEY_VARIABLE = "MISTRALAI_API_KEY";
    /** Inputs per request: the API answers more with "Too many inputs in request, split into more batches". */
    public static final int MAX_BATCH = 512;
    /** semantic-router's {@code MistralEncoder} default {@code score_threshold}. */
    static final double DEFAULT_THRESHOLD = 0.4;

    private static final Provider PROVIDER = new Provider(TYPE, DEFAULT_BASE_URL, DEFAULT_MODEL,
            List.of(KEY_VARIABLE, ALTERNATE_KEY_VARIABLE), MAX_BATCH, DEFAULT_THRESHOLD, Map.of("mistral-embed", 1024),
            KEY_VARIABLE + " (or " + ALTERNATE_KEY_VARIABLE + ") is not set: set it to use Mistral AI");

    public MistralEncoder(Config config) {
        this(config, KEY_VARIABLE, null);
    }

    /**
     * @param keyVariable the variable the key came from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    MistralEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(requireModel(config, "Mistral"), keyVariable, sleeper);
    }

    /**
     * @param model null for {@link #DEFAULT_MODEL}
     * @param url a base URL instead of Mistral's own (a proxy), or null
     * @param env reads {@code MISTRAL_API_KEY}, else {@code MISTRALAI_API_KEY}
     */
    public static MistralEncoder create(String model, String url, Map<String, String> env) {
        return PROVIDER.create(model, url, env, MistralEncoder::new);
    }

    @Override
    protected Provider provider() {
        return PROVIDER;
    }
}
