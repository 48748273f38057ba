package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.SrouterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Embeddings from the Gemini API's {@code models.batchEmbedContents},
 * {@code POST https://generativelanguage.googleapis.com/v1beta/models/{model}:batchEmbedContents}, as documented at
 * https://ai.google.dev/api/embeddings, over {@link HttpEncoder}'s transport. The key is sent only as the
 * {@code x-goog-api-key} header (never in the URL's {@code ?key=}); it comes from {@code GOOGLE_API_KEY} or else
 * {@code GEMINI_API_KEY}, the order https://ai.google.dev/gemini-api/docs/api-key gives ("if both are set,
 * GOOGLE_API_KEY takes precedence").
 *
 * <p>semantic-router 0.1.x's {@code GoogleEncoder} calls Vertex AI instead: {@code TextEmbeddingModel.get_embeddings}
 * with {@code textembedding-gecko@003}, a Google Cloud project ({@code GOOGLE_PROJECT_ID}, {@code GOOGLE_LOCATION})
 * and Application Default Credentials, no API key and no task type. srouter does not speak Vertex AI (OAuth, project
 * and region), and {@code textembedding-gecko@003} was discontinued in 2025, so its vectors cannot be reproduced
 * anyway; a {@code textembedding-gecko} model is refused with that explanation. What srouter sends matches what
 * semantic-router's litellm path sends for {@code gemini/MODEL} (each request: {@code model} and
 * {@code content.parts[].text}, no {@code taskType}), so queries and documents get the same vector: not asymmetric.
 *
 * <p>A batch holds at most {@value #MAX_REQUESTS} requests: the API answers more with "at most 100 requests can be
 * in one batch".
 */
public final class GoogleEncoder extends HttpEncoder {

    public static final String DEFAULT_MODEL = "gemini-embedding-001";
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";
    public static final int MAX_REQUESTS = 100;
    /** Where the key comes from, in order. */
    static final String[] KEY_VARIABLES = {"GOOGLE_API_KEY", "GEMINI_API_KEY"};

    /** https://ai.google.dev/gemini-api/docs/models#gemini-embedding (3072 unless outputDimensionality is sent). */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "gemini-embedding-001", 3072,
            "text-embedding-004", 768);

    private final String modelResource;
    private final boolean googleItself;

    /** An encoder whose key, if any, is {@code config.apiKey()}; messages name {@code GOOGLE_API_KEY}. */
    public GoogleEncoder(Config config) {
        this(config, KEY_VARIABLES[0], null);
    }

    /**
     * @param keyVariable the variable the key came from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    GoogleEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(geminiModel(config), keyVariable, sleeper);
        this.modelResource = "models/" + model();
        this.googleItself = baseHostIs("generativelanguage.googleapis.com");
    }

    /**
     * The encoder for {@code --encoder google}.
     *
     * @param model null for {@value #DEFAULT_MODEL}; {@code models/NAME} is accepted for {@code NAME}
     * @param url null for {@value #DEFAULT_BASE_URL}, else a proxy or test server that serves {@code /models/...}
     * @param env the process environment, for {@code GOOGLE_API_KEY} or {@code GEMINI_API_KEY}
     */
    public static GoogleEncoder create(String model, String url, Map<String, String> env) {
        return create(model, url, env, null);
    }

    static GoogleEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        EnvVar key = EnvVar.first(env, KEY_VARIABLES);
        String name = model == null || model.isBlank() ? DEFAULT_MODEL : model;
        String base = url == null || url.isBlank() ? DEFAULT_BASE_URL : url;
        return new GoogleEncoder(Config.defaults(base, key.value(), name, MAX_REQUESTS), key.name(), sleeper);
    }

    /** The config with the model named without its {@code models/} prefix; Vertex AI's gecko models refused. */
    private static Config geminiModel(Config config) {
        String model = config.model() == null ? "" : config.model().strip();
        if (model.startsWith("models/")) {
            model = model.substring("models/".length());
        }
        if (model.isEmpty()) {
            throw SrouterException.usage("the google encoder needs a model name, e.g. " + DEFAULT_MODEL);
        }
        if (model.startsWith("textembedding-gecko")) {
            throw SrouterException.usage("'" + model + "' is a Vertex AI model (semantic-router's GoogleEncoder default), which "
                    + "srouter does not call and Google has discontinued; the google encoder uses the Gemini API: "
                    + "use --encoder google:" + DEFAULT_MODEL + " (the routes need re-encoding)");
        }
        if (model.contains("/") || model.contains(":")) {
            throw SrouterException.usage("invalid Gemini model name '" + model + "': expected something like " + DEFAULT_MODEL);
        }
        return new Config(config.baseUrl(), config.apiKey(), model, config.batchSize(), config.connectTimeout(),
                config.readTimeout(), config.maxRetries(), config.initialBackoff());
    }

    @Override
    public String type() {
        return "google";
    }

    @Override
    protected int knownDimension() {
        return KNOWN_DIMENSIONS.getOrDefault(config.model(), -1);
    }

    /**
     * semantic-router's {@code GoogleEncoder} default {@code score_threshold}; it was chosen for Vertex AI's gecko
     * model, and nothing in semantic-router sets another for Gemini models.
     */
    @Override
    public double defaultThreshold() {
        return 0.75;
    }

    @Override
    protected String exampleUrl() {
        return DEFAULT_BASE_URL;
    }

    /** Google itself needs a key; a proxy elsewhere may add its own. */
    @Override
    protected boolean requiresKey() {
        return googleItself;
    }

    @Override
    protected String missingKeyMessage() {
        return "GOOGLE_API_KEY (or GEMINI_API_KEY) is not set: set it to a Gemini API key to use the google encoder "
                + "(keys: https://aistudio.google.com/apikey)";
    }

    /** The Gemini API answers a wrong key with 400 {@code API_KEY_INVALID}, not 401. */
    @Override
    protected boolean rejectsKey(int code, String body) {
        return super.rejectsKey(code, body) || (code == 400 && body != null && body.contains("API_KEY_INVALID"));
    }

    /** The model is part of the URL: {@code {base}/models/{model}:batchEmbedContents}. */
    @Override
    protected Request buildRequest(List<String> batch, Input input) {
        HttpUrl url = endpoint("models", model() + ":batchEmbedContents");
        ObjectNode json = MAPPER.createObjectNode();
        ArrayNode requests = json.putArray("requests");
        for (String text : batch) {
            ObjectNode r = requests.addObject();
            r.put("model", modelResource);
            r.putObject("content").putArray("parts").addObject().put("text", text);
        }
        Request.Builder b = new Request.Builder().url(url).post(json(json));
        if (apiKey != null) {
            b.header("x-goog-api-key", apiKey);
        }
        return b.build();
    }

    /** Reads {@code {"embeddings":[{"values":[...]},...]}}, in the order of the requests. */
    @Override
    protected List<float[]> readVectors(JsonNode root, int expected) {
        JsonNode embeddings = root.get("embeddings");
        if (embeddings == null || !embeddings.isArray()) {
            throw malformed("no \"embeddings\" array");
        }
        List<float[]> out = new ArrayList<>(embeddings.size());
        for (int i = 0; i < embeddings.size(); i++) {
            out.add(floats(embeddings.get(i).get("values"), "embedding " + i));
        }
        return out;
    }
}
