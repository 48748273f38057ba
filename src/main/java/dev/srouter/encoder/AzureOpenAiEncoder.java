package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Embeddings from an Azure OpenAI deployment: {@code POST {endpoint}/openai/deployments/{deployment}/embeddings
 * ?api-version=VERSION} with the key in an {@code api-key} header, answered in OpenAI's shape; see "Embeddings" in
 * https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference (the 2024-10-21 GA data-plane inference API).
 * This is what semantic-router 0.1.16's {@code AzureOpenAIEncoder} sends through the openai SDK's
 * {@code AzureOpenAI} client: the model is the deployment name ({@code deployment_name}), also sent as the body's
 * {@code model}, and nothing depends on {@link Input}.
 *
 * <p>The base URL is the resource endpoint, e.g. {@code https://NAME.openai.azure.com}. Only API keys are supported,
 * not Microsoft Entra ID tokens. Azure's 429 responses carry {@code retry-after-ms} and {@code Retry-After}, which
 * {@link HttpEncoder} honours.
 */
public final class AzureOpenAiEncoder extends HttpEncoder {

    public static final String TYPE = "azure";
    /** What {@code --encoder} can call it: srouter's name, which is also semantic-router's encoder_type. */
    public static final List<String> NAMES = List.of(TYPE);
    /** semantic-router's default {@code deployment_name} ({@code EncoderDefault.AZURE}), named after the model. */
    public static final String DEFAULT_DEPLOYMENT = "text-embedding-3-small";
    /** The latest GA data-plane inference version at the time of writing; semantic-router has none and requires one. */
    public static final String DEFAULT_API_VERSION = "2024-10-21";
    public static final String KEY_VARIABLE = "AZURE_OPENAI_API_KEY";
    public static final String ENDPOINT_VARIABLE = "AZURE_OPENAI_ENDPOINT";
    /** semantic-router's variable for the version, then the openai SDK's. */
    public static final String API_VERSION_VARIABLE = "AZURE_OPENAI_API_VERSION";
    static final String ALTERNATE_API_VERSION_VARIABLE = "OPENAI_API_VERSION";
    /** semantic-router's variable for the default deployment. */
    public static final String DEPLOYMENT_VARIABLE = "AZURE_OPENAI_DEPLOYMENT_NAME";
    /** Inputs per request ("any array must be 2048 dimensions or less", i.e. at most 2048 inputs). */
    public static final int MAX_BATCH = 2048;

    private final String apiVersion;
    private final HttpUrl embeddings;
    private final boolean azureItself;

    /** @param apiVersion the {@code api-version} query parameter, e.g. {@link #DEFAULT_API_VERSION} */
    public AzureOpenAiEncoder(Config config, String apiVersion) {
        this(config, apiVersion, null);
    }

    /** @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping) */
    AzureOpenAiEncoder(Config config, String apiVersion, LongConsumer sleeper) {
        super(requireModel(config, "Azure OpenAI"), KEY_VARIABLE, sleeper);
        if (apiVersion == null || apiVersion.isBlank()) {
            throw SrouterException.usage("the Azure OpenAI encoder needs an api-version, e.g. " + DEFAULT_API_VERSION);
        }
        this.apiVersion = apiVersion.strip();
        this.embeddings = endpoint("openai", "deployments", config.model(), "embeddings").newBuilder()
                .addQueryParameter("api-version", this.apiVersion)
                .build();
        String host = base.host().toLowerCase(Locale.ROOT);
        // Resource endpoints: NAME.openai.azure.com, NAME.cognitiveservices.azure.com, NAME.services.ai.azure.com.
        this.azureItself = host.endsWith(".azure.com");
    }

    /**
     * @param model the deployment name, or null for {@code AZURE_OPENAI_DEPLOYMENT_NAME}, else {@link #DEFAULT_DEPLOYMENT}
     * @param url the resource endpoint, or null for {@code AZURE_OPENAI_ENDPOINT}
     * @param env reads {@code AZURE_OPENAI_API_KEY}, {@code AZURE_OPENAI_ENDPOINT}, {@code AZURE_OPENAI_API_VERSION}
     *     (else {@code OPENAI_API_VERSION}, else {@link #DEFAULT_API_VERSION}) and {@code AZURE_OPENAI_DEPLOYMENT_NAME}
     * @throws SrouterException a usage error when there is no endpoint
     */
    public static AzureOpenAiEncoder create(String model, String url, Map<String, String> env) {
        String endpoint = url != null && !url.isBlank() ? url : env.get(ENDPOINT_VARIABLE);
        if (endpoint == null || endpoint.isBlank()) {
            throw SrouterException.usage(ENDPOINT_VARIABLE + " is not set: set it (or --encoder-url) to the Azure OpenAI "
                    + "resource's endpoint, e.g. https://NAME.openai.azure.com");
        }
        String deployment = model != null ? model : EnvVar.first(env, DEPLOYMENT_VARIABLE).value();
        String version = EnvVar.first(env, API_VERSION_VARIABLE, ALTERNATE_API_VERSION_VARIABLE).value();
        return new AzureOpenAiEncoder(Config.defaults(endpoint, env.get(KEY_VARIABLE),
                deployment == null ? DEFAULT_DEPLOYMENT : deployment, MAX_BATCH), version == null ? DEFAULT_API_VERSION : version);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The {@code api-version} sent. */
    public String apiVersion() {
        return apiVersion;
    }

    /** Known when the deployment is named after its OpenAI model, as semantic-router's default is. */
    @Override
    protected int knownDimension() {
        return OpenAiEncoder.knownDimension(config.model());
    }

    /** semantic-router's {@code AzureOpenAIEncoder} default {@code score_threshold} (not OpenAI's 0.3). */
    @Override
    public double defaultThreshold() {
        return 0.82;
    }

    @Override
    protected String exampleUrl() {
        return "https://NAME.openai.azure.com";
    }

    /** An Azure resource needs a key; a proxy elsewhere may not. */
    @Override
    protected boolean requiresKey() {
        return azureItself;
    }

    @Override
    protected String missingKeyMessage() {
        return KEY_VARIABLE + " is not set: set it to the key of the Azure OpenAI resource at " + displayUrl();
    }

    @Override
    protected Request buildRequest(List<String> batch, Input input) {
        Request.Builder b = new Request.Builder().url(embeddings).post(json(embeddingsBody(config.model(), batch)));
        if (apiKey != null) {
            b.header("api-key", apiKey);
        }
        return b.build();
    }

    @Override
    protected List<float[]> readVectors(JsonNode root, int expected) {
        return OpenAiShapedEncoder.readData(this, root, expected);
    }
}
