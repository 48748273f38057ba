package dev.srouter.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.SrouterException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.utils.SdkAutoCloseable;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Embeddings from Amazon Bedrock's InvokeModel operation, {@code POST /model/{modelId}/invoke} on
 * {@code https://bedrock-runtime.{region}.amazonaws.com}, for the two model families semantic-router 0.1.x's
 * {@code BedrockEncoder} (encoder_type {@code bedrock}) knows, chosen as it chooses them, by the model id:
 * <ul>
 *   <li>an id containing {@code amazon}, Amazon Titan: one text per request, {@code {"inputText": text}}, answered
 *       with {@code {"embedding": [...]}};
 *   <li>an id containing {@code cohere}, Cohere Embed: up to 96 texts per request,
 *       {@code {"texts": [...], "input_type": "search_query"}}, answered with {@code {"embeddings": [[...], ...]}}.
 * </ul>
 * The bodies carry nothing else (no {@code dimensions}, {@code normalize}, {@code truncate}), as semantic-router
 * sends them, so both embed alike and can share an index. semantic-router sends Cohere's {@code input_type}
 * {@code search_query} for route utterances and for queries alike (its Bedrock encoder is not asymmetric), so this
 * encoder does too, and {@link #asymmetric()} is false: a document embedded with {@code search_document} would
 * not match an index semantic-router wrote.
 *
 * <p>Requests go through {@link HttpEncoder}'s transport (retries on 429 {@code ThrottlingException}, 408 and 5xx,
 * {@code Retry-After}, messages) and are signed with the AWS SDK's own SigV4 signer ({@link AwsV4HttpSigner},
 * signing name {@code bedrock}) before every attempt, so that a retry after a long wait is signed afresh.
 * Credentials are resolved on the first {@link #encode} that has texts to send, never earlier, so a run answered
 * from the embedding cache does not touch them: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and
 * {@code AWS_SESSION_TOKEN} from the given environment, else the SDK's {@link DefaultCredentialsProvider} (system
 * properties, environment, web identity, the {@code AWS_PROFILE} or default profile with SSO and role profiles,
 * container and EC2 instance credentials). The region is {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}
 * (what semantic-router reads), else the SDK's {@link DefaultAwsRegionProviderChain} (profile, instance metadata).
 * No part of a secret key or session token is ever part of a message, an exception or the {@link #cacheKey()}.
 *
 * @see <a href="https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html">InvokeModel</a>
 * @see <a href="https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html">Amazon Titan
 *     Text Embeddings request and response</a>
 * @see <a href="https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-mm.html">Amazon Titan
 *     Multimodal Embeddings G1 (the default model)</a>
 * @see <a href="https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html">Cohere Embed models on
 *     Bedrock</a>
 * @see <a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html">AWS Signature Version 4</a>
 * @see <a href="https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html">the SDKs' credential
 *     providers</a>
 */
public final class BedrockEncoder extends HttpEncoder {

    /** semantic-router's default ({@code EncoderDefault.BEDROCK}): Amazon Titan Multimodal Embeddings G1. */
    public static final String DEFAULT_MODEL = "amazon.titan-embed-image-v1";
    /** What semantic-router reads for its default model, and so does {@link #create} when no model is given. */
    public static final String MODEL_VARIABLE = "BEDROCK_EMBEDDING_MODEL";
    /** The name requests are signed for (the runtime endpoint's host says {@code bedrock-runtime}). */
    static final String SIGNING_NAME = "bedrock";
    /** Titan embedding models take one {@code inputText} per request. */
    static final int TITAN_BATCH = 1;
    /** Cohere Embed on Bedrock takes at most 96 {@code texts} per request. */
    static final int COHERE_BATCH = 96;
    /** semantic-router sends this {@code input_type} for every Cohere request, utterances and queries alike. */
    static final String COHERE_INPUT_TYPE = "search_query";

    /** Output sizes at the defaults (what is sent asks for no other), keyed by base model id without its version suffix. */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "amazon.titan-embed-image-v1", 1024,
            "amazon.titan-embed-text-v1", 1536,
            "amazon.titan-embed-g1-text-02", 1536,
            "amazon.titan-embed-text-v2", 1024,
            "cohere.embed-english-v3", 1024,
            "cohere.embed-multilingual-v3", 1024,
            "cohere.embed-v4", 1536);

    /** Signed and sent as is: the signer signs the Content-Type, so OkHttp must not add a charset to it. */
    private static final MediaType CONTENT_TYPE = MediaType.get("application/json");

    /** Which request and response shape, as semantic-router picks it. */
    enum Family {
        TITAN, COHERE
    }

    private final Family family;
    private final String region;
    private final HttpUrl endpoint;
    private final Supplier<AwsCredentialsProvider> providerFactory;
    private final String credentialSources;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private volatile AwsCredentialsProvider provider;
    /** The credentials last used to sign, for {@link #secrets()}; null before the first. */
    private volatile AwsCredentialsIdentity lastCredentials;

    /**
     * @param config base URL (the regional endpoint, or an override: a VPC endpoint, a test server), model and batch
     *     size; its key is unused
     * @param region the region requests are signed for
     * @param credentials builds the credentials provider, called on the first {@link #encode} that sends something
     * @param credentialSources where the credentials come from, as a message names it when there are none or they
     *     are rejected: "no AWS credentials for Bedrock in ...", "check the AWS credentials (from ...)"
     * @param clock the signing time (tests fix it)
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    BedrockEncoder(Config config, String region, Supplier<AwsCredentialsProvider> credentials, String credentialSources,
            Clock clock, LongConsumer sleeper) {
        super(config, "AWS credentials", sleeper);
        this.family = family(config.model());
        if (region == null || region.isBlank()) {
            throw SrouterException.unreachable(MISSING_REGION, null);
        }
        this.region = region.strip();
        this.endpoint = base.newBuilder().query(null)
                .addPathSegment("model")
                .addEncodedPathSegment(SdkHttpUtils.urlEncode(config.model()))
                .addPathSegment("invoke")
                .build();
        this.providerFactory = credentials;
        this.credentialSources = credentialSources;
        this.clock = clock == null ? Clock.systemUTC() : clock;
    }

    static final String MISSING_REGION = "no AWS region for Bedrock: set AWS_REGION (or AWS_DEFAULT_REGION), or region in "
            + "the profile's section of ~/.aws/config";

    /**
     * The Bedrock encoder for {@code model} (null: {@code BEDROCK_EMBEDDING_MODEL}, else {@link #DEFAULT_MODEL}),
     * at {@code url} (null: {@code https://bedrock-runtime.{region}.amazonaws.com}), with credentials and region
     * as the class comment says. Nothing here reads a credential.
     *
     * @param env the process environment
     */
    public static BedrockEncoder create(String model, String url, Map<String, String> env) {
        String chosen = notBlank(model) ? model.strip() : notBlank(env.get(MODEL_VARIABLE)) ? env.get(MODEL_VARIABLE).strip() : DEFAULT_MODEL;
        String profile = notBlank(env.get("AWS_PROFILE")) ? env.get("AWS_PROFILE").strip() : null;
        String region = region(env, () -> sdkRegion(profile));
        if (region == null) {
            throw SrouterException.unreachable(MISSING_REGION, null);
        }
        String base = notBlank(url) ? url : "https://bedrock-runtime." + region + ".amazonaws.com";
        int batch = family(chosen) == Family.TITAN ? TITAN_BATCH : COHERE_BATCH;
        return new BedrockEncoder(Config.defaults(base, null, chosen, batch), region, () -> credentialsProvider(env, profile),
                credentialSources(env, profile), null, null);
    }

    /** {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}, else what {@code chain} finds; null when none. */
    static String region(Map<String, String> env, Supplier<String> chain) {
        for (String variable : List.of("AWS_REGION", "AWS_DEFAULT_REGION")) {
            if (notBlank(env.get(variable))) {
                return env.get(variable).strip();
            }
        }
        return chain.get();
    }

    /** The SDK's region chain (system property, AWS_REGION, the profile's region, instance metadata), or null. */
    private static String sdkRegion(String profile) {
        try {
            DefaultAwsRegionProviderChain.Builder chain = DefaultAwsRegionProviderChain.builder();
            if (profile != null) {
                chain.profileName(profile);
            }
            return chain.build().getRegion().id();
        } catch (SdkException e) {
            return null;
        }
    }

    /**
     * The access key in {@code env} when both of its variables are set, as the SDK's environment provider would
     * read it (the environment given, not the process's, so that callers can choose it); else the SDK's default chain.
     */
    private static AwsCredentialsProvider credentialsProvider(Map<String, String> env, String profile) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        String token = env.get("AWS_SESSION_TOKEN");
        if (notBlank(id) && notBlank(secret)) {
            return StaticCredentialsProvider.create(notBlank(token)
                    ? AwsSessionCredentials.create(id.strip(), secret.strip(), token.strip())
                    : AwsBasicCredentials.create(id.strip(), secret.strip()));
        }
        DefaultCredentialsProvider.Builder chain = DefaultCredentialsProvider.builder();
        if (profile != null) {
            chain.profileName(profile);
        }
        return chain.build();
    }

    /**
     * Where the credentials come from, as messages name it: the environment's variables when both keys are set there,
     * else the SDK's default chain with the variables, the profile and its files, the roles it looks at.
     */
    static String credentialSources(Map<String, String> env, String profile) {
        if (notBlank(env.get("AWS_ACCESS_KEY_ID")) && notBlank(env.get("AWS_SECRET_ACCESS_KEY"))) {
            return notBlank(env.get("AWS_SESSION_TOKEN")) ? "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
                    : "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
        }
        String credentialsFile = notBlank(env.get("AWS_SHARED_CREDENTIALS_FILE")) ? env.get("AWS_SHARED_CREDENTIALS_FILE") : "~/.aws/credentials";
        String configFile = notBlank(env.get("AWS_CONFIG_FILE")) ? env.get("AWS_CONFIG_FILE") : "~/.aws/config";
        String partial = "";
        if (notBlank(env.get("AWS_ACCESS_KEY_ID")) != notBlank(env.get("AWS_SECRET_ACCESS_KEY"))) {
            partial = " (" + (notBlank(env.get("AWS_ACCESS_KEY_ID")) ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                    : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not") + ")";
        }
        return "the AWS SDK's default chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary "
                + "credentials)" + partial
                + ", the Java system properties aws.accessKeyId and aws.secretAccessKey, AWS_WEB_IDENTITY_TOKEN_FILE, profile '"
                + (profile == null ? "default" : profile) + "'" + (profile == null ? " (AWS_PROFILE picks another)" : " (AWS_PROFILE)")
                + " in " + credentialsFile + " and " + configFile + " (SSO and role profiles included), the container "
                + "credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI) and EC2 instance metadata";
    }

    private static Family family(String model) {
        if (model == null || model.isBlank()) {
            throw SrouterException.usage("the Bedrock encoder needs a model id, e.g. " + DEFAULT_MODEL);
        }
        // semantic-router's own test, in its order: "amazon" in name, else "cohere" in name.
        if (model.contains("amazon")) {
            return Family.TITAN;
        }
        if (model.contains("cohere")) {
            return Family.COHERE;
        }
        throw SrouterException.usage("unknown Bedrock embedding model '" + model + "': the bedrock encoder (like "
                + "semantic-router's) takes Amazon Titan ids (amazon.*, e.g. " + DEFAULT_MODEL + ", amazon.titan-embed-text-v2:0) "
                + "and Cohere Embed ids (cohere.*, e.g. cohere.embed-english-v3)");
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    @Override
    public String type() {
        return "bedrock";
    }

    /** The region requests are signed for. */
    public String region() {
        return region;
    }

    Family family() {
        return family;
    }

    /** For the models in the table, with semantic-router's request (no {@code dimensions}); also with a cross-region prefix. */
    @Override
    protected int knownDimension() {
        String id = config.model();
        // Cross-region inference profiles prefix the model id with a geography: us.cohere.embed-v4:0.
        int amazon = id.indexOf("amazon.");
        int cohere = id.indexOf("cohere.");
        int start = amazon >= 0 ? amazon : Math.max(cohere, 0);
        id = id.substring(start);
        while (true) {
            Integer d = KNOWN_DIMENSIONS.get(id);
            if (d != null) {
                return d;
            }
            int colon = id.lastIndexOf(':');
            if (colon < 0) {
                return -1;
            }
            id = id.substring(0, colon);
        }
    }

    /** semantic-router's {@code BedrockEncoder(score_threshold=0.3)}. */
    @Override
    public double defaultThreshold() {
        return 0.3;
    }

    @Override
    protected String exampleUrl() {
        return "https://bedrock-runtime.us-east-1.amazonaws.com";
    }

    /** There is no key: credentials are checked in {@link #encode}, before anything is sent. */
    @Override
    protected boolean requiresKey() {
        return false;
    }

    /** Resolves the credentials before any request, so that having none fails at once and sends nothing. */
    @Override
    public List<float[]> encode(List<String> texts, Input input) {
        if (!texts.isEmpty()) {
            credentials();
        }
        return super.encode(texts, input);
    }

    @Override
    protected Request buildRequest(List<String> batch, Input input) {
        ObjectNode json = MAPPER.createObjectNode();
        if (family == Family.TITAN) {
            json.put("inputText", batch.get(0));
        } else {
            ArrayNode texts = json.putArray("texts");
            batch.forEach(texts::add);
            json.put("input_type", COHERE_INPUT_TYPE);
        }
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        return new Request.Builder().url(endpoint)
                .header("Accept", "application/json")
                .post(RequestBody.create(body, CONTENT_TYPE))
                .build();
    }

    /** Signs with SigV4 at the current time with the current credentials (a refreshing provider may renew them). */
    @Override
    protected Request prepareAttempt(Request request) {
        AwsCredentialsIdentity credentials = credentials();
        byte[] body = bodyOf(request);
        HttpUrl url = request.url();
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .protocol(url.scheme())
                .host(url.host())
                .port(url.port())
                .encodedPath(url.encodedPath())
                .putHeader("Content-Type", CONTENT_TYPE.toString())
                .putHeader("Accept", "application/json");
        SignedRequest signed;
        try {
            signed = signer.sign(r -> r.identity(credentials)
                    .request(unsigned.build())
                    .payload(() -> new ByteArrayInputStream(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        } catch (RuntimeException e) {
            throw SrouterException.failure("could not sign the Bedrock request: " + e.getClass().getSimpleName());
        }
        Request.Builder out = request.newBuilder();
        signed.request().forEachHeader((name, values) -> out.header(name, String.join(",", values)));
        return out.build();
    }

    /** Reads Titan's {@code {"embedding": [...]}} or Cohere's {@code {"embeddings": [[...], ...]}} (or its by-type form). */
    @Override
    protected List<float[]> readVectors(JsonNode root, int expected) {
        if (family == Family.TITAN) {
            JsonNode embedding = root.get("embedding");
            if (embedding == null && root.path("embeddingsByType").has("float")) {
                embedding = root.get("embeddingsByType").get("float");
            }
            if (embedding == null) {
                throw malformed("no \"embedding\" array");
            }
            return List.of(floats(embedding, "the response"));
        }
        JsonNode embeddings = root.get("embeddings");
        if (embeddings != null && embeddings.isObject()) {
            embeddings = embeddings.get("float"); // embeddings_by_type, when embedding_types was asked for
        }
        if (embeddings == null || !embeddings.isArray()) {
            throw malformed("no \"embeddings\" array");
        }
        if (embeddings.size() != expected) {
            throw malformed(embeddings.size() + " vectors for " + expected + " texts");
        }
        return vectors(embeddings);
    }

    /**
     * Bedrock's own explanation is shown (its servers never see the secret key, and a session token it echoed is
     * redacted): it tells an expired token from a wrong signature from a model the account may not use.
     */
    @Override
    protected String rejectedMessage(int code, String serverMessage) {
        return "Bedrock rejected the request (HTTP " + code + " from " + displayUrl() + ")"
                + (serverMessage.isEmpty() ? "" : ": " + serverMessage)
                + "; check the AWS credentials (from " + credentialSources + ") and that the account may invoke "
                + config.model() + " in " + region;
    }

    @Override
    protected List<String> secrets() {
        AwsCredentialsIdentity c = lastCredentials;
        if (c == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(3);
        out.add(c.secretAccessKey());
        if (c instanceof AwsSessionCredentialsIdentity session) {
            out.add(session.sessionToken());
        }
        return out;
    }

    @Override
    public void close() {
        super.close();
        AwsCredentialsProvider p;
        synchronized (this) {
            p = provider;
            provider = null;
        }
        if (p instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }

    /** True once credentials were looked for (the first {@link #encode} that had something to send). */
    boolean credentialsResolved() {
        return provider != null || lastCredentials != null;
    }

    private AwsCredentialsProvider provider() {
        AwsCredentialsProvider p = provider;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (provider == null) {
                provider = providerFactory.get();
            }
            return provider;
        }
    }

    /** The current credentials, or a one-line exit-4 failure naming where they were looked for. */
    private AwsCredentialsIdentity credentials() {
        AwsCredentialsIdentity c;
        try {
            c = provider().resolveCredentials();
        } catch (SdkException | IllegalStateException e) {
            String detail = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("sso login")
                    ? "; the profile's SSO session has expired or is invalid: run aws sso login" : "";
            // The SDK's text goes only into the cause (shown with -v): it lists every provider's reason at length.
            throw SrouterException.unreachable("no AWS credentials for Bedrock in " + credentialSources + detail, e);
        }
        if (c == null || !notBlank(c.accessKeyId()) || !notBlank(c.secretAccessKey())) {
            throw SrouterException.unreachable("no AWS credentials for Bedrock in " + credentialSources, null);
        }
        lastCredentials = c;
        return c;
    }

    private static byte[] bodyOf(Request request) {
        Buffer buffer = new Buffer();
        try {
            request.body().writeTo(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.readByteArray();
    }
}
