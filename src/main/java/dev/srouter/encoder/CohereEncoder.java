package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Embeddings from Cohere's Embed API v2, {@code POST https://api.cohere.com/v2/embed}, as documented at
 * https://docs.cohere.com/reference/embed, over {@link HttpEncoder}'s transport.
 *
 * <p>It embeds as semantic-router 0.1.x's {@code CohereEncoder} does (through litellm in 0.1.16, the Cohere SDK's
 * {@code embed} in 0.1.0): route utterances ({@link Input#DOCUMENT}) with {@code input_type: search_document}, texts
 * to route ({@link Input#QUERY}) with {@code search_query}, so a text's vector depends on what it is and the encoder is
 * {@link #asymmetric()}. Texts are sent {@value #MAX_TEXTS} per call, Cohere's documented maximum.
 *
 * <p>The key is sent only as {@code Authorization: Bearer}. It comes from {@code COHERE_API_KEY} (semantic-router's
 * and litellm's variable) or else {@code CO_API_KEY} (the one the Cohere SDKs document), in that order.
 */
public final class CohereEncoder extends HttpEncoder {

    public static final String DEFAULT_MODEL = "embed-english-v3.0";
    public static final String DEFAULT_BASE_URL = "https://api.cohere.com";
    /** "Maximum number of texts per call is 96." */
    public static final int MAX_TEXTS = 96;
    /** Where the key comes from, in order. */
    static final String[] KEY_VARIABLES = {"COHERE_API_KEY", "CO_API_KEY"};

    /** https://docs.cohere.com/docs/cohere-embed */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "embed-english-v3.0", 1024,
            "embed-multilingual-v3.0", 1024,
            "embed-english-light-v3.0", 384,
            "embed-multilingual-light-v3.0", 384,
            "embed-v4.0", 1536);

    private final HttpUrl endpoint;
    private final boolean cohereItself;

    /** An encoder whose key, if any, is {@code config.apiKey()}; messages name {@code COHERE_API_KEY}. */
    public CohereEncoder(Config config) {
        this(config, KEY_VARIABLES[0], null);
    }

    /**
     * @param keyVariable the variable the key came from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    CohereEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(config, keyVariable, sleeper);
        this.endpoint = endpoint("v2", "embed");
        this.cohereItself = baseHostIs("api.cohere.com") || baseHostIs("api.cohere.ai");
    }

    /**
     * The encoder for {@code --encoder cohere}.
     *
     * @param model null for {@value #DEFAULT_MODEL}; a {@code cohere/} prefix (semantic-router's litellm spelling) is dropped
     * @param url null for {@value #DEFAULT_BASE_URL}, else a proxy or test server that serves {@code /v2/embed}
     * @param env the process environment, for {@code COHERE_API_KEY} or {@code CO_API_KEY}
     */
    public static CohereEncoder create(String model, String url, Map<String, String> env) {
        return create(model, url, env, null);
    }

    static CohereEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        EnvVar key = EnvVar.first(env, KEY_VARIABLES);
        String name = model == null || model.isBlank() ? DEFAULT_MODEL : model.strip();
        if (name.startsWith("cohere/")) {
            name = name.substring("cohere/".length());
        }
        String base = url == null || url.isBlank() ? DEFAULT_BASE_URL : url;
        return new CohereEncoder(Config.defaults(base, key.value(), name, MAX_TEXTS), key.name(), sleeper);
    }

    @Override
    public String type() {
        return "cohere";
    }

    @Override
    protected int knownDimension() {
        return KNOWN_DIMENSIONS.getOrDefault(config.model(), -1);
    }

    /** semantic-router's {@code CohereEncoder} default {@code score_threshold}. */
    @Override
    public double defaultThreshold() {
        return 0.3;
    }

    /** Queries and documents are embedded with different {@code input_type}s. */
    @Override
    public boolean asymmetric() {
        return true;
    }

    @Override
    protected String exampleUrl() {
        return DEFAULT_BASE_URL;
    }

    /** Cohere itself needs a key; a proxy elsewhere may add its own. */
    @Override
    protected boolean requiresKey() {
        return cohereItself;
    }

    @Override
    protected String missingKeyMessage() {
        return "COHERE_API_KEY (or CO_API_KEY) is not set: set it to a Cohere API key to use the cohere encoder "
                + "(keys: https://dashboard.cohere.com/api-keys)";
    }

    /** What semantic-router sends for each kind of text. */
    static String inputType(Input input) {
        return input == Input.QUERY ? "search_query" : "search_document";
    }

    @Override
    protected Request buildRequest(List<String> batch, Input input) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("model", config.model());
        ArrayNode texts = json.putArray("texts");
        batch.forEach(texts::add);
        json.put("input_type", inputType(input));
        json.putArray("embedding_types").add("float");
        return bearerPost(endpoint, json);
    }

    /** Reads {@code {"embeddings":{"float":[[...],...]}, ...}}, one vector per text in order. */
    @Override
    protected List<float[]> readVectors(JsonNode root, int expected) {
        JsonNode floats = root.path("embeddings").get("float");
        if (floats == null || !floats.isArray()) {
            throw malformed("no \"embeddings.float\" array");
        }
        return vectors(floats);
    }
}
