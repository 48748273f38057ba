package dev.srouter.encoder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.Batches;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The transport every HTTP embedding provider shares; a provider says only how a batch becomes a request
 * ({@link #buildRequest}) and a response body becomes vectors ({@link #readVectors}). Texts are sent in batches of
 * {@link Config#batchSize()}; rate limits (429), timeouts (408) and server errors (5xx) are retried with exponential
 * backoff and full jitter, honouring {@code Retry-After} (and {@code retry-after-ms}); rejected credentials
 * (401/403, or what a provider's {@link #rejectsKey} recognizes) fail at once naming the key's variable, and other
 * client errors fail at once with the server's own message and the provider's {@link #refusalHint}. Every vector is normalized to unit length, and all of a run's vectors must have one dimension.
 *
 * <p>The HTTP client is built on the first {@link #encode} call, so a run answered from the embedding cache never
 * builds it. The key goes only into the request a provider builds; it is removed from any text a server sends back
 * before that text is shown, and it is never part of a message, an exception or the {@link #cacheKey()}. Instances
 * are thread-safe.
 */
public abstract class HttpEncoder implements Encoder {

    /** The longest computed backoff between two attempts. */
    static final long MAX_BACKOFF_MILLIS = 20_000;
    /** The longest wait a server's {@code Retry-After} can ask for. */
    static final long MAX_RETRY_AFTER_MILLIS = 60_000;

    protected static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    protected static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_SERVER_MESSAGE = 300;

    /**
     * @param baseUrl the provider's base URL, e.g. https://api.openai.com/v1 or http://localhost:11434/v1
     * @param apiKey may be null for servers that need none
     * @param batchSize texts per request, at most the provider's documented limit
     */
    public record Config(String baseUrl, String apiKey, String model, int batchSize, Duration connectTimeout,
            Duration readTimeout, int maxRetries, Duration initialBackoff) {
        public static Config defaults(String baseUrl, String apiKey, String model) {
            return defaults(baseUrl, apiKey, model, 512);
        }

        public static Config defaults(String baseUrl, String apiKey, String model, int batchSize) {
            return new Config(baseUrl, apiKey, model, batchSize, Duration.ofSeconds(10), Duration.ofSeconds(60), 5, Duration.ofMillis(500));
        }

        /** Never shows the key: records print their components, and configs end up in debug output. */
        @Override
        public String toString() {
            return "Config[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "none" : "***")
                    + ", model=" + model + ", batchSize=" + batchSize + ", connectTimeout=" + connectTimeout
                    + ", readTimeout=" + readTimeout + ", maxRetries=" + maxRetries + ", initialBackoff=" + initialBackoff + "]";
        }
    }

    protected final Config config;
    /** The stripped key, or null. */
    protected final String apiKey;
    /** The base URL, parsed. */
    protected final HttpUrl base;
    /** The base URL as shown in messages: no credentials, query or trailing slash. */
    private final String displayUrl;
    private final String hostPath;
    private final String keyVariable;
    private final LongConsumer sleeper;
    private final AtomicInteger requestCount = new AtomicInteger();
    /** The vector length the server answered with, 0 until the first response. */
    private volatile int observedDimension;
    private volatile OkHttpClient client;
    private boolean closed;

    /**
     * @param keyVariable the environment variable the key comes from, named when it is missing or rejected
     * @param sleeper waits the given number of milliseconds between attempts (tests record instead of sleeping)
     */
    protected HttpEncoder(Config config, String keyVariable, LongConsumer sleeper) {
        if (config.batchSize() < 1 || config.maxRetries() < 0) {
            throw new IllegalArgumentException("batchSize must be at least 1 and maxRetries at least 0");
        }
        this.config = config;
        this.keyVariable = keyVariable;
        this.sleeper = sleeper == null ? HttpEncoder::sleep : sleeper;
        this.apiKey = config.apiKey() == null || config.apiKey().isBlank() ? null : config.apiKey().strip();
        if (apiKey != null && !apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw SrouterException.usage(keyVariable + " contains spaces or characters that cannot be sent in an HTTP header");
        }
        String raw = config.baseUrl() == null ? "" : config.baseUrl().strip();
        HttpUrl parsed = HttpUrl.parse(raw);
        if (parsed == null) {
            throw SrouterException.usage("invalid encoder URL '" + raw + "': expected something like " + exampleUrl());
        }
        this.base = parsed;
        String host = parsed.host().contains(":") ? "[" + parsed.host() + "]" : parsed.host();
        String hostPort = parsed.port() == HttpUrl.defaultPort(parsed.scheme()) ? host : host + ":" + parsed.port();
        String path = parsed.encodedPath().replaceAll("/+$", "");
        this.displayUrl = parsed.scheme() + "://" + hostPort + path;
        this.hostPath = hostPort + path;
    }

    /** {@code config}, or a usage error when it has no model: every provider's request names one. */
    protected static Config requireModel(Config config, String provider) {
        if (config.model() == null || config.model().isBlank()) {
            throw SrouterException.usage("the " + provider + " encoder needs a model name");
        }
        return config;
    }

    /** A URL to show when the one given cannot be parsed. */
    protected abstract String exampleUrl();

    /** The request that embeds {@code batch} (already within {@link Config#batchSize()}), key and all. */
    protected abstract Request buildRequest(List<String> batch, Input input);

    /**
     * The vectors of a successful response, in the order of the batch's texts; not yet normalized. Use
     * {@link #malformed} for a response that does not have the documented shape, and {@link #floats} to read an array.
     */
    protected abstract List<float[]> readVectors(JsonNode root, int expected);

    /** Whether a request without a key is pointless (the provider's own service); when so it fails before sending. */
    protected boolean requiresKey() {
        return true;
    }

    /** The message when {@link #requiresKey()} and no key is set. */
    protected String missingKeyMessage() {
        return keyVariable + " is not set: set it to use " + type();
    }

    /**
     * Whether an error response says the key was rejected, so that the message names the key's variable (and shows
     * nothing of the body, which may quote the key): 401 and 403 here; a provider that answers a bad key otherwise
     * (Google: 400 {@code API_KEY_INVALID}) widens it.
     */
    protected boolean rejectsKey(int code, String body) {
        return code == 401 || code == 403;
    }

    /**
     * What the user can do about a refused request (a client error other than a rejected key), appended to the
     * message after the server's own words; empty when there is nothing to add.
     *
     * @param serverMessage the server's explanation as shown (key removed, shortened), or empty
     */
    protected String refusalHint(int code, String serverMessage) {
        return "";
    }

    /** The dimension of the model as documented, or -1 when unknown until the first response. */
    protected int knownDimension() {
        return -1;
    }

    /**
     * The request one attempt sends, called before every attempt (retries included) with what {@link #buildRequest}
     * built; by default that request itself. A provider that signs requests with a timestamp (AWS SigV4) signs here,
     * so that a retry after a long wait does not carry an expired signature.
     */
    protected Request prepareAttempt(Request request) {
        return request;
    }

    /**
     * The message when the server rejects the credentials ({@link #rejectsKey}). By default the server's text is not
     * shown, since some providers echo part of a wrong key in it; a provider whose servers never see the secret may
     * show it.
     *
     * @param serverMessage the server's explanation, shortened and redacted, or empty
     */
    protected String rejectedMessage(int code, String serverMessage) {
        return "the encoder rejected the API key (HTTP " + code + " from " + displayUrl + "); check " + keyVariable;
    }

    /**
     * Secrets besides the key that {@link #redact} removes, e.g. credentials a provider resolves on its own; none by
     * default.
     */
    protected List<String> secrets() {
        return List.of();
    }

    @Override
    public String model() {
        return config.model();
    }

    /** The known size for the provider's documented models, else -1 until the first response tells it; then what the server sent. */
    @Override
    public int dimension() {
        int seen = observedDimension;
        return seen > 0 ? seen : knownDimension();
    }

    /** {@code TYPE:MODEL@HOST[:PORT]/PATH}: vectors from different servers are never mixed, and the key is not part of it. */
    @Override
    public String cacheKey() {
        return name() + "@" + hostPath;
    }

    /** The base URL as it appears in messages. */
    public String displayUrl() {
        return displayUrl;
    }

    /** How many HTTP requests were started, retries included. */
    int requestCount() {
        return requestCount.get();
    }

    /** True once the HTTP client has been built (the first {@link #encode} that had anything to send). */
    boolean clientCreated() {
        return client != null;
    }

    @Override
    public List<float[]> encode(List<String> texts, Input input) {
        if (texts.isEmpty()) {
            return List.of();
        }
        if (apiKey == null && requiresKey()) {
            throw SrouterException.unreachable(missingKeyMessage(), null);
        }
        OkHttpClient http = client();
        List<float[]> out = new ArrayList<>(texts.size());
        for (List<String> batch : Batches.of(texts, config.batchSize())) {
            out.addAll(encodeBatch(http, batch, input));
        }
        return out;
    }

    @Override
    public void close() {
        OkHttpClient c;
        synchronized (this) {
            closed = true;
            c = client;
            client = null;
        }
        if (c != null) {
            c.dispatcher().executorService().shutdown();
            c.connectionPool().evictAll();
        }
    }

    /** A JSON request body. */
    protected static RequestBody json(ObjectNode body) {
        return RequestBody.create(body.toString(), JSON);
    }

    /** {@code {"model":MODEL,"input":[TEXT...]}}: the body of OpenAI's embeddings request, which most providers copy. */
    protected static ObjectNode embeddingsBody(String model, List<String> batch) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("model", model);
        ArrayNode input = body.putArray("input");
        batch.forEach(input::add);
        return body;
    }

    /** The base URL with {@code segments} appended (a trailing slash on the base does not double up). */
    protected final HttpUrl endpoint(String... segments) {
        HttpUrl.Builder b = base.newBuilder();
        for (String segment : segments) {
            b.addPathSegment(segment);
        }
        return b.build();
    }

    /** Whether the base URL is on {@code host}, i.e. the provider's own service rather than a proxy or a local server. */
    protected final boolean baseHostIs(String host) {
        return base.host().equalsIgnoreCase(host);
    }

    /** A POST of {@code body} to {@code url}, with {@code Authorization: Bearer KEY} when there is a key. */
    protected final Request bearerPost(HttpUrl url, ObjectNode body) {
        Request.Builder b = new Request.Builder().url(url).post(json(body));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b.build();
    }

    private OkHttpClient client() {
        OkHttpClient c = client;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the " + type() + " encoder is closed");
            }
            if (client == null) {
                Duration read = config.readTimeout();
                client = new OkHttpClient.Builder()
                        .connectTimeout(config.connectTimeout())
                        .readTimeout(read)
                        .writeTimeout(read)
                        .callTimeout(callTimeout())
                        .build();
            }
            return client;
        }
    }

    /** Bounds a whole request, body upload and download included: connecting, then writing and reading. */
    private Duration callTimeout() {
        return config.connectTimeout().plus(config.readTimeout().multipliedBy(2));
    }

    private List<float[]> encodeBatch(OkHttpClient http, List<String> batch, Input input) {
        Request request = buildRequest(batch, input);
        for (int attempt = 0; ; attempt++) {
            boolean last = attempt >= config.maxRetries();
            long retryAfter = -1;
            Request attemptRequest = prepareAttempt(request);
            requestCount.incrementAndGet();
            try (Response response = http.newCall(attemptRequest).execute()) {
                int code = response.code();
                if (response.isSuccessful()) {
                    return parse(response.body().bytes(), batch.size());
                }
                String body = readSmall(response);
                if (rejectsKey(code, body)) {
                    throw SrouterException.unreachable(rejectedMessage(code, serverMessage(body, "")), null);
                }
                boolean retryable = code == 429 || code == 408 || code >= 500;
                if (!retryable) {
                    String said = serverMessage(body, "");
                    String hint = refusalHint(code, said);
                    throw SrouterException.failure("the encoder at " + displayUrl + " refused the request (HTTP " + code + ")"
                            + (said.isEmpty() ? "" : ": " + said) + (hint == null || hint.isEmpty() ? "" : "; " + hint));
                }
                if (last) {
                    if (code == 429) {
                        throw SrouterException.unreachable("the encoder at " + displayUrl
                                + " is rate limiting requests (HTTP 429)" + afterRetries() + serverMessage(body, ": "), null);
                    }
                    throw SrouterException.unreachable("the encoder at " + displayUrl + " failed with HTTP " + code
                            + afterRetries() + serverMessage(body, ": "), null);
                }
                retryAfter = retryAfterMillis(response);
            } catch (SrouterException e) {
                throw e;
            } catch (UnknownHostException e) {
                throw SrouterException.unreachable("cannot reach the encoder at " + displayUrl + ": unknown host", e);
            } catch (ConnectException | NoRouteToHostException e) {
                throw SrouterException.unreachable("cannot reach the encoder at " + displayUrl + ": " + connectFailure(e), e);
            } catch (SSLException e) {
                throw SrouterException.unreachable("cannot reach the encoder at " + displayUrl + ": TLS failed ("
                        + redact(e.getMessage()) + ")", e);
            } catch (InterruptedIOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw SrouterException.failure("interrupted while waiting for the encoder at " + displayUrl);
                }
                if (last) {
                    Duration limit = e instanceof SocketTimeoutException ? config.readTimeout() : callTimeout();
                    throw SrouterException.unreachable("the encoder at " + displayUrl + " did not answer within " + seconds(limit)
                            + afterRetries(), e);
                }
            } catch (IOException e) {
                if (last) {
                    throw SrouterException.unreachable("lost the connection to the encoder at " + displayUrl + ": "
                            + redact(String.valueOf(e.getMessage())) + afterRetries(), e);
                }
            }
            sleeper.accept(retryAfter >= 0 ? retryAfter : backoffMillis(attempt));
        }
    }

    private List<float[]> parse(byte[] body, int expected) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw malformed("not JSON (" + shorten(redact(e.getOriginalMessage())) + ")");
        } catch (IOException e) {
            throw malformed("unreadable (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || !root.isContainerNode()) {
            throw malformed("not a JSON object");
        }
        List<float[]> vectors = readVectors(root, expected);
        if (vectors.size() != expected) {
            throw malformed(vectors.size() + " vectors for " + expected + " texts");
        }
        int dim = observedDimension;
        for (float[] v : vectors) {
            if (dim > 0 && v.length != dim) {
                throw malformed("vectors of different dimensions (" + dim + " and " + v.length + ")");
            }
            dim = v.length;
            Encoder.normalize(v);
        }
        observedDimension = dim;
        return vectors;
    }

    /** The embeddings of a JSON array of arrays of numbers, in order, each named {@code embedding i} in a message. */
    protected final List<float[]> vectors(JsonNode arrays) {
        List<float[]> out = new ArrayList<>(arrays.size());
        for (int i = 0; i < arrays.size(); i++) {
            out.add(floats(arrays.get(i), "embedding " + i));
        }
        return out;
    }

    /**
     * The numbers of a JSON array, e.g. one embedding; {@code where} names it in the message when it is not a non-empty
     * array of numbers.
     */
    protected final float[] floats(JsonNode array, String where) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw malformed(where + " has no embedding array of numbers");
        }
        float[] v = new float[array.size()];
        for (int k = 0; k < v.length; k++) {
            JsonNode x = array.get(k);
            if (!x.isNumber()) {
                throw malformed(where + " has a non-numeric value in its embedding");
            }
            v[k] = x.floatValue();
        }
        return v;
    }

    /** A response that does not have the provider's documented shape. */
    protected final SrouterException malformed(String what) {
        return SrouterException.failure("the encoder at " + displayUrl + " returned a malformed response: " + what);
    }

    /** The start of an error body, enough for a message; never fails. */
    private static String readSmall(Response response) {
        try {
            return response.peekBody(64 * 1024).string();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * The server's explanation from an error body: {@code error.message} (OpenAI and most others), {@code error} as a
     * string (Ollama, TEI), {@code message} (Cohere, Bedrock), {@code detail} (Voyage, Jina) or {@code error.status}
     * with it (Google); shortened to one line and with the key removed, prefixed by {@code prefix}; else empty.
     */
    private String serverMessage(String body, String prefix) {
        String msg = null;
        try {
            JsonNode root = MAPPER.readTree(body);
            JsonNode error = root == null ? null : root.get("error");
            if (error != null && error.isObject() && error.path("message").isTextual()) {
                msg = error.get("message").asText();
            } else if (error != null && error.isTextual()) {
                msg = error.asText();
            } else if (root != null && root.path("message").isTextual()) {
                msg = root.get("message").asText();
            } else if (root != null && root.path("detail").isTextual()) {
                msg = root.get("detail").asText();
            } else if (root != null && root.path("detail").isArray() && root.get("detail").path(0).path("msg").isTextual()) {
                msg = root.get("detail").get(0).get("msg").asText();
            }
        } catch (JsonProcessingException e) {
            // not JSON: no message
        }
        if (msg == null || msg.isBlank()) {
            return "";
        }
        return prefix + shorten(redact(msg));
    }

    /** One line of at most a few hundred characters. */
    private static String shorten(String text) {
        String line = String.valueOf(text).replaceAll("\\s+", " ").strip();
        return line.length() > MAX_SERVER_MESSAGE ? line.substring(0, MAX_SERVER_MESSAGE) + "..." : line;
    }

    /** Removes the key and any other {@link #secrets()} from text that came from elsewhere, in case a server echoes them. */
    protected final String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = apiKey == null ? text : text.replace(apiKey, "***");
        for (String secret : secrets()) {
            if (secret != null && !secret.isEmpty()) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }

    private String afterRetries() {
        int n = config.maxRetries();
        return n == 0 ? "" : " after " + n + (n == 1 ? " retry" : " retries");
    }

    private static String connectFailure(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("refused")) {
                return "connection refused";
            }
        }
        return e instanceof NoRouteToHostException ? "no route to host" : "connection failed";
    }

    /** Full jitter: a random wait between 0 and {@code initialBackoff * 2^attempt}, at most 20 s. */
    long backoffMillis(int attempt) {
        long initial = Math.max(1, config.initialBackoff().toMillis());
        long bound = attempt >= 30 ? MAX_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, initial << attempt);
        return ThreadLocalRandom.current().nextLong(bound + 1);
    }

    /**
     * The wait a 429 or 5xx response asks for: {@code retry-after-ms} (OpenAI, Azure), or {@code Retry-After} in
     * seconds or as an HTTP date; at most 60 s. -1 when there is none or it cannot be read.
     */
    static long retryAfterMillis(Response response) {
        String ms = response.header("retry-after-ms");
        if (ms != null) {
            try {
                return clampRetryAfter((long) Double.parseDouble(ms.strip()));
            } catch (NumberFormatException e) {
                // fall through to Retry-After
            }
        }
        String value = response.header("Retry-After");
        if (value == null || value.isBlank()) {
            return -1;
        }
        value = value.strip();
        try {
            return clampRetryAfter((long) (Double.parseDouble(value) * 1000));
        } catch (NumberFormatException e) {
            // an HTTP date, then
        }
        try {
            ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
            return clampRetryAfter(when.toInstant().toEpochMilli() - System.currentTimeMillis());
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    private static long clampRetryAfter(long millis) {
        return Math.max(0, Math.min(MAX_RETRY_AFTER_MILLIS, millis));
    }

    /** {@code 60s}, {@code 0.2s}. */
    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SrouterException(ExitCode.FAILURE, "interrupted while waiting to retry the encoder");
        }
    }
}
