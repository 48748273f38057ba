package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Embeddings from a Hugging Face Text Embeddings Inference server's {@code POST /embed}, as documented at
 * https://huggingface.github.io/text-embeddings-inference/ (the OpenAPI of the server's router), over
 * {@link HttpEncoder}'s transport: the body is {@code {"inputs": [...], "normalize": true}} and the answer a JSON array
 * with one array of numbers per input. This is also what a Hugging Face Inference Endpoint running TEI serves.
 *
 * <p>semantic-router 0.1.x's {@code HFEndpointEncoder} posts {@code {"inputs": text, "parameters": {}}} to its
 * {@code HF_API_URL}, one text per request, with {@code Authorization: Bearer HF_API_KEY}; TEI answers that with the
 * same normalized vector. Like it, srouter sends no {@code truncate}, so the server's {@code --auto-truncate} decides
 * whether a text over the model's token limit is truncated or refused, and no {@code prompt_name}: queries and
 * documents are embedded alike.
 *
 * <p>There is no default server: the URL comes from the {@code url} argument or {@code HF_API_URL}. A key is optional
 * (a local server needs none): {@code HF_API_KEY} (semantic-router's variable), else {@code HF_TOKEN} (Hugging Face's).
 * Texts are sent {@value #MAX_CLIENT_BATCH_SIZE} per request, the default of the server's {@code --max-client-batch-size}
 * (https://huggingface.co/docs/text-embeddings-inference/cli_arguments).
 */
public final class TeiEncoder extends HttpEncoder {

    /** The name semantic-router's {@code HFEndpointEncoder} records; TEI serves one model, whatever it is called here. */
    public static final String DEFAULT_MODEL = "hugging_face_custom_endpoint";
    /** TEI's {@code --max-client-batch-size} default. */
    public static final int MAX_CLIENT_BATCH_SIZE = 32;
    static final String[] KEY_VARIABLES = {"HF_API_KEY", "HF_TOKEN"};
    static final String MISSING_URL = "the tei encoder needs the URL of a Text Embeddings Inference server: "
            + "--encoder-url http://localhost:8080 (or HF_API_URL)";

    private final HttpUrl endpoint;

    public TeiEncoder(Config config) {
        this(config, KEY_VARIABLES[0], null);
    }

    /**
     * @param keyVariable the variable the key came from, named when it is rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    TeiEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(requireUrl(config), keyVariable, sleeper);
        List<String> segments = base.pathSegments().stream().filter(seg -> !seg.isEmpty()).toList();
        boolean endsWithEmbed = !segments.isEmpty() && segments.get(segments.size() - 1).equals("embed");
        HttpUrl.Builder url = base.newBuilder().encodedPath("/");
        segments.forEach(url::addPathSegment);
        if (!endsWithEmbed) {
            url.addPathSegment("embed");
        }
        this.endpoint = url.build();
    }

    /**
     * The encoder for {@code --encoder tei}.
     *
     * @param model a name for the server's model (it is not sent: TEI serves one), null for {@value #DEFAULT_MODEL}
     * @param url the server, with or without {@code /embed}, or null for {@code HF_API_URL}; a usage error when neither
     * @param env the process environment, for {@code HF_API_URL} and {@code HF_API_KEY} or {@code HF_TOKEN}
     */
    public static TeiEncoder create(String model, String url, Map<String, String> env) {
        return create(model, url, env, null);
    }

    static TeiEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        String base = EnvVar.orFirst(url, env, null, "HF_API_URL");
        EnvVar key = EnvVar.first(env, KEY_VARIABLES);
        String name = model == null || model.isBlank() ? DEFAULT_MODEL : model.strip();
        return new TeiEncoder(Config.defaults(base, key.value(), name, MAX_CLIENT_BATCH_SIZE), key.name(), sleeper);
    }

    private static Config requireUrl(Config config) {
        if (config.baseUrl() == null || config.baseUrl().isBlank()) {
            throw SrouterException.usage(MISSING_URL);
        }
        return config;
    }

    @Override
    public String type() {
        return "tei";
    }

    /** semantic-router's {@code HFEndpointEncoder} default {@code score_threshold}. */
    @Override
    public double defaultThreshold() {
        return 0.8;
    }

    @Override
    protected String exampleUrl() {
        return "http://localhost:8080";
    }

    /** A local server needs no key, and an Inference Endpoint's 401 names the variables. */
    @Override
    protected boolean requiresKey() {
        return false;
    }

    /**
     * TEI answers a validation error with 413: a batch over {@code --max-client-batch-size}, a text over the model's
     * token limit without truncation, or a body over {@code --payload-limit}; and a text it cannot tokenize with 422.
     */
    @Override
    protected String refusalHint(int code, String serverMessage) {
        if (code == 413 && serverMessage.contains("tokens")) {
            return "start the server with --auto-truncate to embed longer texts truncated, or shorten them";
        }
        if (code == 413 && serverMessage.contains("batch size")) {
            return "srouter sends up to " + config.batchSize() + " texts per request: start the server with "
                    + "--max-client-batch-size " + config.batchSize() + " or more";
        }
        if (code == 413) {
            return "the request is over the server's --payload-limit (2000000 bytes by default) or --max-client-batch-size";
        }
        if (code == 422) {
            return "the server could not tokenize a text";
        }
        return "";
    }

    @Override
    protected Request buildRequest(List<String> batch, Input input) {
        ObjectNode json = MAPPER.createObjectNode();
        ArrayNode inputs = json.putArray("inputs");
        batch.forEach(inputs::add);
        json.put("normalize", true);
        return bearerPost(endpoint, json);
    }

    /** Reads {@code [[...],...]}, one vector per input in order. */
    @Override
    protected List<float[]> readVectors(JsonNode root, int expected) {
        if (!root.isArray()) {
            throw malformed("not a JSON array of embeddings");
        }
        return vectors(root);
    }
}
