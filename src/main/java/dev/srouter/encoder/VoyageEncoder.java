package dev.srouter.encoder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Embeddings from Voyage AI's {@code POST /v1/embeddings} (https://docs.voyageai.com/reference/embeddings-api), with an
 * {@code Authorization: Bearer} key and OpenAI's response shape. Queries are sent with {@code "input_type":"query"} and
 * documents (route utterances) with {@code "input_type":"document"}, as semantic-router 0.1.16's {@code VoyageEncoder}
 * does through litellm: Voyage prepends a different prompt to each, so a text's vector depends on its {@link Input}.
 */
public final class VoyageEncoder extends OpenAiShapedEncoder {

    public static final String TYPE = "voyage";
    /** What {@code --encoder} can call it: srouter's name, which is also semantic-router's encoder_type. */
    public static final List<String> NAMES = List.of(TYPE);
    /** semantic-router's default ({@code EncoderDefault.VOYAGE}). */
    public static final String DEFAULT_MODEL = "voyage-3-lite";
    public static final String DEFAULT_BASE_URL = "https://api.voyageai.com/v1";
    public static final String KEY_VARIABLE = "VOYAGE_API_KEY";
    /** "The maximum length of the list is 1,000." (the token total per request is limited too, by model). */
    public static final int MAX_BATCH = 1000;
    /** semantic-router's {@code VoyageEncoder} default {@code score_threshold}. */
    static final double DEFAULT_THRESHOLD = 0.4;

    /** Default output lengths from Voyage's model table (https://docs.voyageai.com/docs/embeddings, as reproduced in Anthropic's embeddings guide). */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "voyage-3-lite", 512,
            "voyage-3", 1024,
            "voyage-3-large", 1024,
            "voyage-3.5", 1024,
            "voyage-3.5-lite", 1024,
            "voyage-code-3", 1024,
            "voyage-finance-2", 1024,
            "voyage-law-2", 1024,
            "voyage-multilingual-2", 1024,
            "voyage-code-2", 1536);

    private static final Provider PROVIDER = new Provider(TYPE, DEFAULT_BASE_URL, DEFAULT_MODEL, List.of(KEY_VARIABLE),
            MAX_BATCH, DEFAULT_THRESHOLD, KNOWN_DIMENSIONS, KEY_VARIABLE + " is not set: set it to use Voyage AI");

    public VoyageEncoder(Config config) {
        this(config, KEY_VARIABLE, null);
    }

    /**
     * @param keyVariable the variable the key came from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    VoyageEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(requireModel(config, "Voyage"), keyVariable, sleeper);
    }

    /**
     * @param model null for {@link #DEFAULT_MODEL}
     * @param url a base URL instead of Voyage's own (a proxy), or null
     * @param env reads {@code VOYAGE_API_KEY}
     */
    public static VoyageEncoder create(String model, String url, Map<String, String> env) {
        return PROVIDER.create(model, url, env, VoyageEncoder::new);
    }

    @Override
    protected Provider provider() {
        return PROVIDER;
    }

    @Override
    public boolean asymmetric() {
        return true;
    }

    @Override
    protected ObjectNode body(List<String> batch, Input input) {
        return super.body(batch, input).put("input_type", input == Input.QUERY ? "query" : "document");
    }
}
