package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * A provider that takes OpenAI's embeddings request ({@code POST BASE/embeddings}, {@code {"model","input"}}) with an
 * {@code Authorization: Bearer} key and answers with OpenAI's response ({@code data[]} of indexed embeddings): OpenAI
 * itself, Mistral, Voyage, Jina and NVIDIA NIM. A provider's class states only what is its own, in a {@link Provider}
 * and, when its body has more than model and input, in {@link #body}.
 *
 * <p>Its own service needs a key; a base URL on another host (a proxy, a self-hosted or compatible server) may not.
 */
public abstract class OpenAiShapedEncoder extends HttpEncoder {

    /**
     * What a provider is, besides the protocol.
     *
     * @param type srouter's name for the encoder, the prefix of its {@link Encoder#name()}
     * @param defaultBaseUrl the provider's own service: the factory's default, the example shown for an invalid URL,
     *     and the host on which a key is required
     * @param defaultModel the factory's default model (semantic-router's)
     * @param keyVariables the environment variables the factory reads the key from, the documented one first
     * @param maxBatch the texts per request the factory configures: the provider's documented limit, or less
     * @param defaultThreshold semantic-router's default {@code score_threshold} for the encoder
     * @param dimensions the documented vector length of each known model
     * @param missingKeyMessage the message when the provider's own service is called without a key
     */
    protected record Provider(String type, String defaultBaseUrl, String defaultModel, List<String> keyVariables,
            int maxBatch, double defaultThreshold, Map<String, Integer> dimensions, String missingKeyMessage) {

        /**
         * The encoder {@code create(model, url, env)} builds: the key from the first of {@link #keyVariables} that is
         * set, named as that variable.
         *
         * @param model null for {@link #defaultModel}
         * @param url a base URL instead of {@link #defaultBaseUrl}, or null
         */
        <E extends OpenAiShapedEncoder> E create(String model, String url, Map<String, String> env, Constructor<E> constructor) {
            EnvVar key = EnvVar.first(env, keyVariables.toArray(String[]::new));
            String base = url != null && !url.isBlank() ? url : defaultBaseUrl;
            return constructor.create(Config.defaults(base, key.value(), model == null ? defaultModel : model, maxBatch),
                    key.name(), null);
        }
    }

    /** A provider's package-private constructor. */
    @FunctionalInterface
    protected interface Constructor<E extends OpenAiShapedEncoder> {
        /**
         * @param keyVariable the variable the key came from, named when it is missing or rejected
         * @param sleeper waits the given number of milliseconds between attempts, or null to sleep
         */
        E create(Config config, String keyVariable, LongConsumer sleeper);
    }

    private final HttpUrl embeddings;
    private final boolean providerItself;

    /**
     * @param config the config, its model already required ({@link #requireModel})
     * @param keyVariable the variable the key came from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    protected OpenAiShapedEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        super(config, keyVariable, sleeper);
        this.embeddings = endpoint("embeddings");
        this.providerItself = baseHostIs(HttpUrl.get(provider().defaultBaseUrl()).host());
    }

    /**
     * The provider's description: a constant, since {@link HttpEncoder}'s constructor already asks for
     * {@link #exampleUrl()}.
     */
    protected abstract Provider provider();

    @Override
    public String type() {
        return provider().type();
    }

    @Override
    protected int knownDimension() {
        return provider().dimensions().getOrDefault(config.model(), -1);
    }

    @Override
    public double defaultThreshold() {
        return provider().defaultThreshold();
    }

    @Override
    protected String exampleUrl() {
        return provider().defaultBaseUrl();
    }

    /** The provider's own service needs a key; a server elsewhere may not. */
    @Override
    protected boolean requiresKey() {
        return providerItself;
    }

    @Override
    protected String missingKeyMessage() {
        return provider().missingKeyMessage();
    }

    /** The JSON body for {@code batch}: by default OpenAI's {@code {"model","input"}}, to which a provider may add. */
    protected ObjectNode body(List<String> batch, Input input) {
        return embeddingsBody(config.model(), batch);
    }

    @Override
    protected final Request buildRequest(List<String> batch, Input input) {
        return bearerPost(embeddings, body(batch, input));
    }

    /** Reads {@code {"data":[{"index":i,"embedding":[...]}...]}} into vectors ordered by index. */
    @Override
    protected final List<float[]> readVectors(JsonNode root, int expected) {
        return readData(this, root, expected);
    }

    /** The OpenAI response shape, which Azure answers with too. */
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
