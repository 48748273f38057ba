package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every HTTP embedding provider must do, run by one subclass per provider against a MockWebServer that speaks the
 * provider's own request and response shapes: the exact request for queries and for documents, the documented response
 * read into unit vectors in text order, batches split at the documented limit, the key's variable named (and the key
 * never shown) when it is missing or rejected, a 429 retried after its {@code Retry-After}, the provider's own error
 * message shown with the key removed, a wrong number of vectors refused, and asymmetric exactly when queries are sent
 * differently. A subclass describes its provider through the abstract methods, overrides the defaults (OpenAI's path,
 * {@code Authorization: Bearer} key and response, which most providers copy) where its provider differs, and adds what
 * only that provider does.
 *
 * <p>The encoders under test are the ones the provider's factory builds, as the CLI builds them, pointed at the mock
 * server; where a test needs retries, the waits between attempts are recorded in {@link #sleeps} instead of slept.
 */
abstract class HttpEncoderContract<E extends HttpEncoder> {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Distinctive, so that finding it (or its middle) anywhere in an error, a header or a URL is certainly a leak. */
    static final String KEY = "test-key-SECRET-7c6b5a49";
    /** The distinctive middle of {@link #KEY}. */
    private static final String KEY_PART = "SECRET";
    /** Every header a provider sends a key in; a request carries at most the provider's own. */
    private static final List<String> CREDENTIAL_HEADERS = List.of("Authorization", "api-key", "x-api-key", "x-goog-api-key");

    MockWebServer server;
    /** What the encoders were asked to wait between attempts, in milliseconds. */
    final List<Long> sleeps = new CopyOnWriteArrayList<>();
    private final List<HttpEncoder> opened = new ArrayList<>();

    // ---- the provider under test ----

    /** The provider's public factory, as the CLI calls it. */
    abstract E create(String model, String url, Map<String, String> env);

    /**
     * What {@link #create(String, String, Map)} builds, but waiting with {@code sleeper} instead of sleeping: through
     * the provider's package-private factory that takes one, or, for a provider without one, the factory's encoder
     * rebuilt from its config through the constructor that takes one.
     */
    abstract E create(String model, String url, Map<String, String> env, LongConsumer sleeper);

    abstract String type();

    abstract String defaultModel();

    /** The dimension documented for the default model, or -1 when only the server knows it. */
    abstract int defaultDimension();

    /** semantic-router's default score_threshold for this encoder. */
    abstract double defaultThreshold();

    /** The provider's own service as {@link HttpEncoder#displayUrl()} shows it, when no URL is given. */
    abstract String defaultUrl();

    /** The texts per request the factory configures: the provider's documented maximum, or less. */
    abstract int batchLimit();

    /** Whether a text's vector depends on its Input: true exactly when the request for queries differs. */
    abstract boolean asymmetric();

    /** The environment variable the key is read from first. */
    abstract String keyVariable();

    /** Besides the key: what the factory needs to build an encoder for the provider's own service (Azure's endpoint). */
    Map<String, String> ownServiceEnv() {
        return Map.of();
    }

    /** The whole message when the provider's own service is called without a key, or null when it needs none. */
    abstract String missingKeyMessage();

    /** What follows the mock server's address in the URL given for the provider's base URL, or empty; OpenAI's {@code /v1}. */
    String basePath() {
        return "/v1";
    }

    /** The path requests must go to on the mock server; OpenAI's {@code /v1/embeddings}. */
    String expectedPath() {
        return "/v1/embeddings";
    }

    /** The query string requests must carry, or null for none. */
    String expectedQuery() {
        return null;
    }

    /**
     * The header that carries the key and its value for {@link #KEY}; nothing else in a request may carry the key.
     * {@code Authorization: Bearer KEY}, as for OpenAI.
     */
    Map.Entry<String, String> expectedAuthHeader() {
        return Map.entry("Authorization", "Bearer " + KEY);
    }

    /** The whole JSON body for {@code texts} with the default model, given as queries or documents. */
    abstract JsonNode expectedBody(List<String> texts, Encoder.Input input);

    /** The texts a recorded request body asks to embed, in order: OpenAI's {@code input}. */
    List<String> textsSent(JsonNode body) {
        return strings(body, "input");
    }

    /** A success response copied from the provider's documentation, for two texts. */
    abstract String documentedResponse();

    /** The vectors of {@link #documentedResponse()}, in text order, before normalization. */
    abstract float[][] documentedVectors();

    /** A success response in the provider's shape with one embedding per vector, in order: OpenAI's. */
    String responseBody(List<float[]> vectors) {
        return openAiResponse(vectors, false);
    }

    /**
     * A success response in the provider's shape listing the embeddings last first, each marked with the index of its
     * text (OpenAI's); null when the shape has no index, i.e. the embeddings come in text order.
     */
    String responseInReverse(List<float[]> vectors) {
        return openAiResponse(vectors, true);
    }

    /** An error body in the provider's documented shape whose explanation is {@code message}. */
    abstract String errorBody(String message);

    // ---- fixture ----

    @BeforeEach
    final void startServer() throws Exception {
        server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    final void stopServer() {
        opened.forEach(HttpEncoder::close);
        server.close();
    }

    /** Spelled with the address, not {@code server.url()}'s "localhost", so nothing depends on name resolution. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    /** The mock server in place of the provider's base URL. */
    String baseUrl() {
        return url(basePath());
    }

    /** Closed after the test. */
    <T extends HttpEncoder> T track(T encoder) {
        opened.add(encoder);
        return encoder;
    }

    /** {@link #ownServiceEnv()} with the key in its first variable. */
    Map<String, String> envWithKey() {
        Map<String, String> env = new HashMap<>(ownServiceEnv());
        env.put(keyVariable(), KEY);
        return env;
    }

    /** The factory's encoder for the default model at the mock server, with the key, recording its waits. */
    E encoder() {
        return encoder(null, baseUrl(), envWithKey());
    }

    /** The factory's encoder, recording its waits. */
    E encoder(String model, String url, Map<String, String> env) {
        return track(create(model, url, env, sleeps::add));
    }

    static MockResponse ok(String body) {
        return status(200, body);
    }

    static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    /** The next request the server received; fails instead of waiting forever when none came. */
    RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull(r, "expected a request");
        return r;
    }

    static JsonNode json(RecordedRequest r) {
        return parse(r.getBody().utf8());
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The strings of the array {@code body.field}, in order. */
    static List<String> strings(JsonNode body, String field) {
        List<String> out = new ArrayList<>();
        body.path(field).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code t0}, {@code t1}, ...: texts whose {@link #vectorFor} is distinct. */
    static List<String> texts(int n) {
        return IntStream.range(0, n).mapToObj(i -> "t" + i).toList();
    }

    /** A vector for the text {@code t<n>}, distinct per n and not of unit length, so that order and normalization show. */
    static float[] vectorFor(String text) {
        return new float[] {Integer.parseInt(text.substring(1)) + 1, 3, -4};
    }

    static float[] normalized(float[] v) {
        return Encoder.normalize(v.clone());
    }

    static void assertUnit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        assertEquals(1.0, sum, 1e-5, "not unit length");
    }

    /** Fails if the key, or its distinctive middle, appears in the message, toString or stack trace of e or a cause. */
    static void assertNoKey(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(KEY), "key leaked in: " + trace);
        assertFalse(trace.toString().contains(KEY_PART), "part of the key leaked in: " + trace);
    }

    /** An environment of {@code name, value, name, value...}. */
    static Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    /** OpenAI's embeddings response, which most providers copy: {@code data[]} of {@code {object, index, embedding}}. */
    static String openAiResponse(List<float[]> vectors, boolean reversed) {
        ObjectNode root = MAPPER.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int n = 0; n < vectors.size(); n++) {
            int i = reversed ? vectors.size() - 1 - n : n;
            addNumbers(data.addObject().put("object", "embedding").put("index", i).putArray("embedding"), vectors.get(i));
        }
        root.put("model", "m").putObject("usage").put("prompt_tokens", 1).put("total_tokens", 1);
        return root.toString();
    }

    /** {@code into} with one array of numbers per vector appended, in order. */
    static ArrayNode addVectors(ArrayNode into, List<float[]> vectors) {
        vectors.forEach(v -> addNumbers(into.addArray(), v));
        return into;
    }

    /** {@code into} with the numbers of {@code vector} appended. */
    static void addNumbers(ArrayNode into, float[] vector) {
        for (float x : vector) {
            into.add(x);
        }
    }

    /** OpenAI's embeddings request, which most providers copy: {@code {"model": MODEL, "input": [TEXT...]}}. */
    static ObjectNode openAiRequest(String model, List<String> texts) {
        ObjectNode body = MAPPER.createObjectNode().put("model", model);
        texts.forEach(body.putArray("input")::add);
        return body;
    }

    /** Answers every request with one {@link #vectorFor} vector per text it sent, so that batches can be checked in order. */
    private Dispatcher answerEachTextWithItsVector() {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    return ok(responseBody(textsSent(json(request)).stream().map(HttpEncoderContract::vectorFor).toList()));
                } catch (RuntimeException e) {
                    return status(400, errorBody("test dispatcher: " + e));
                }
            }
        };
    }

    // ---- the contract ----

    @Test
    void sendsTheDocumentedRequestForDocuments() throws Exception {
        assertRequest(Encoder.Input.DOCUMENT);
    }

    @Test
    void sendsTheDocumentedRequestForQueries() throws Exception {
        assertRequest(Encoder.Input.QUERY);
    }

    private void assertRequest(Encoder.Input input) throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}, new float[] {0, 1}))));
        List<String> texts = List.of("book a flight to Paris", "what's the weather?");

        encoder().encode(texts, input);

        RecordedRequest r = take();
        assertEquals("POST", r.getMethod());
        assertEquals(expectedPath(), r.getUrl().encodedPath());
        assertEquals(expectedQuery(), r.getUrl().encodedQuery());
        assertEquals(expectedPath() + (expectedQuery() == null ? "" : "?" + expectedQuery()), r.getTarget(),
                "the request target as sent (the key never goes in the URL)");
        Map.Entry<String, String> auth = expectedAuthHeader();
        assertEquals(auth.getValue(), r.getHeaders().get(auth.getKey()), auth.getKey() + " header");
        for (String other : CREDENTIAL_HEADERS) {
            if (!other.equalsIgnoreCase(auth.getKey())) {
                assertNull(r.getHeaders().get(other), "the key goes only in " + auth.getKey() + ", yet " + other + " was sent");
            }
        }
        for (String name : r.getHeaders().names()) {
            if (!name.equalsIgnoreCase(auth.getKey())) {
                assertFalse(r.getHeaders().get(name).contains(KEY_PART), "the key in header " + name);
            }
        }
        String body = r.getBody().utf8();
        assertFalse(body.contains(KEY_PART), "the key in the body: " + body);
        assertTrue(String.valueOf(r.getHeaders().get("Content-Type")).startsWith("application/json"), r.getHeaders().toString());
        assertEquals(expectedBody(texts, input), parse(body), "request body for " + input);
    }

    @Test
    void asymmetricExactlyWhenQueriesAreSentDifferently() throws Exception {
        E enc = encoder();
        assertEquals(asymmetric(), enc.asymmetric());
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));

        enc.encode(List.of("hello"), Encoder.Input.QUERY);
        enc.encode(List.of("hello"), Encoder.Input.DOCUMENT);

        JsonNode query = json(take());
        JsonNode document = json(take());
        if (asymmetric()) {
            assertNotEquals(query, document, "an asymmetric encoder must tell the provider which the texts are");
        } else {
            assertEquals(query, document, "a symmetric encoder must send queries and documents alike");
        }
    }

    @Test
    void readsTheDocumentedResponseIntoUnitVectorsInOrder() {
        server.enqueue(ok(documentedResponse()));

        List<float[]> out = encoder().encode(List.of("first", "second"), Encoder.Input.DOCUMENT);

        float[][] expected = documentedVectors();
        assertEquals(expected.length, out.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(normalized(expected[i]), out.get(i), 1e-6f, "vector " + i);
            assertUnit(out.get(i));
        }
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void ordersVectorsByTheirIndexNotTheirPosition() {
        String reversed = responseInReverse(List.of(new float[] {4, 0}, new float[] {0, 3}));
        assumeTrue(reversed != null, "the response has no index: its embeddings come in text order");
        server.enqueue(ok(reversed));

        List<float[]> out = encoder().encode(List.of("a", "b"), Encoder.Input.DOCUMENT);

        assertArrayEquals(new float[] {1, 0}, out.get(0), 1e-6f);
        assertArrayEquals(new float[] {0, 1}, out.get(1), 1e-6f);
    }

    @Test
    void factoryUsesTheDocumentedBatchLimit() {
        assertEquals(batchLimit(), track(create(null, baseUrl(), envWithKey())).config.batchSize());
    }

    @Test
    void factorySplitsMoreThanTheDocumentedLimitIntoBatchesInOrder() throws Exception {
        int limit = batchLimit();
        List<String> texts = texts(2 * limit + 1);
        server.setDispatcher(answerEachTextWithItsVector());
        E enc = track(create(null, baseUrl(), envWithKey()));

        List<float[]> out = enc.encode(texts, Encoder.Input.DOCUMENT);

        assertEquals(3, server.getRequestCount(), "requests for " + texts.size() + " texts with a limit of " + limit);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batches.add(textsSent(json(take())));
        }
        assertEquals(List.of(texts.subList(0, limit), texts.subList(limit, 2 * limit), texts.subList(2 * limit, 2 * limit + 1)),
                batches);
        assertEquals(texts.size(), out.size());
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(normalized(vectorFor(texts.get(i))), out.get(i), 1e-6f, "vector " + i);
            assertUnit(out.get(i));
        }
    }

    @Test
    void factoryDefaults() {
        E enc = track(create(null, null, envWithKey()));
        assertEquals(type(), enc.type());
        assertEquals(defaultModel(), enc.model());
        assertEquals(type() + ":" + defaultModel(), enc.name());
        assertEquals(defaultDimension(), enc.dimension());
        assertEquals(defaultThreshold(), enc.defaultThreshold());
        assertEquals(asymmetric(), enc.asymmetric());
        assertEquals(defaultUrl(), enc.displayUrl());
        assertEquals("other-model", track(create("other-model", null, envWithKey())).model());
    }

    @Test
    void aMissingKeyForTheProvidersOwnServiceNamesTheVariableAndSendsNothing() {
        String expected = missingKeyMessage();
        assumeTrue(expected != null, "the provider's own service needs no key");
        E enc = track(create(null, null, ownServiceEnv()));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals(expected, e.getMessage());
        assertTrue(e.getMessage().contains(keyVariable() + " "), e.getMessage());
        assertFalse(enc.clientCreated(), "no HTTP client for a request that cannot succeed");
        assertEquals(0, enc.requestCount());
    }

    @Test
    void withoutAKeyNoCredentialIsSent() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 1}))));

        track(create(null, baseUrl(), ownServiceEnv())).encode(List.of("x"), Encoder.Input.DOCUMENT);

        RecordedRequest r = take();
        for (String header : CREDENTIAL_HEADERS) {
            assertNull(r.getHeaders().get(header), "no key, no " + header);
        }
        assertNull(r.getHeaders().get(expectedAuthHeader().getKey()), "no key, no " + expectedAuthHeader().getKey());
        assertEquals(expectedQuery(), r.getUrl().encodedQuery());
    }

    @Test
    void aRejectedKeyNamesItsVariableAndNotTheKey() {
        for (int code : new int[] {401, 403}) {
            server.enqueue(status(code, errorBody("invalid api key " + KEY)));
            int before = server.getRequestCount();
            E enc = encoder();

            SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

            assertEquals(ExitCode.UNREACHABLE, e.exitCode());
            assertEquals("the encoder rejected the API key (HTTP " + code + " from " + enc.displayUrl() + "); check "
                    + keyVariable(), e.getMessage());
            assertNoKey(e);
            assertEquals(1, enc.requestCount(), "no retry on " + code);
            assertEquals(before + 1, server.getRequestCount(), "no retry on " + code);
        }
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void aRateLimitIsRetriedAfterItsRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3")
                .addHeader("Content-Type", "application/json").body(errorBody("rate limit exceeded")).build());
        server.enqueue(ok(responseBody(List.of(new float[] {3, 4}))));

        List<float[]> out = encoder().encode(List.of("x"), Encoder.Input.QUERY);

        assertArrayEquals(new float[] {0.6f, 0.8f}, out.get(0), 1e-6f);
        assertEquals(2, server.getRequestCount());
        assertEquals(List.of(3000L), sleeps);
    }

    @Test
    void theProvidersErrorMessageIsShownWithTheKeyRemoved() {
        server.enqueue(status(400, errorBody("invalid request: texts must not be empty, near " + KEY)));
        E enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " refused the request (HTTP 400): "
                + "invalid request: texts must not be empty, near ***", e.getMessage());
        assertNoKey(e);
        assertEquals(1, server.getRequestCount(), "a client error is not retried");
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void aWrongNumberOfVectorsIsMalformed() {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        E enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("a", "b"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " returned a malformed response: 1 vectors for 2 texts",
                e.getMessage());
    }

    @Test
    void theKeyIsInNoNameCacheKeyOrString() {
        E enc = track(create(null, baseUrl(), envWithKey()));
        for (String s : List.of(enc.name(), enc.cacheKey(), enc.toString(), enc.config.toString(), enc.displayUrl())) {
            assertFalse(s.contains(KEY), s);
            assertFalse(s.contains(KEY_PART), s);
        }
        assertEquals(type() + ":" + defaultModel() + "@127.0.0.1:" + server.getPort() + basePath(), enc.cacheKey());
    }
}
