package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every HTTP embedding provider must do, run against a MockWebServer by one subclass per provider: the exact
 * request for queries and documents, the documented response read into unit vectors in order, batches of at most the
 * documented limit, the key's variable named when it is missing or rejected (and the key never shown), retries on 429
 * with {@code Retry-After}, the provider's own error message shown, and a wrong count of vectors refused. A subclass
 * describes its provider through the abstract methods and adds what only that provider does.
 */
abstract class HttpProviderContract {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Distinctive, so that finding it (or its middle) anywhere in an error is certainly a leak. */
    static final String KEY = "test-key-SECRET-7c6b5a49";

    MockWebServer server;
    final List<Long> sleeps = new CopyOnWriteArrayList<>();
    private final List<HttpEncoder> encoders = new ArrayList<>();

    // ---- the provider under test ----

    /** Through the provider's public static factory, as the CLI will build it. */
    abstract HttpEncoder create(String model, String url, Map<String, String> env);

    /** Through the package-private constructor that takes a recording sleeper. */
    abstract HttpEncoder withSleeper(HttpEncoder.Config config, LongConsumer sleeper);

    /** The environment variable the key is read from first. */
    abstract String keyVariable();

    /** Besides the key: what the factory needs to build an encoder for the provider's own service (Azure's endpoint). */
    Map<String, String> ownServiceEnv() {
        return Map.of();
    }

    /** The base URL to give for the mock server, e.g. {@code http://127.0.0.1:PORT/v1}. */
    String mockBaseUrl() {
        return url("/v1");
    }

    /** The path requests must go to on the mock server. */
    abstract String expectedPath();

    /** The query string requests must carry, or null for none. */
    String expectedQuery() {
        return null;
    }

    /** The header that carries the key and its value for {@link #KEY}; every other way of sending it must be absent. */
    abstract Map.Entry<String, String> expectedAuthHeader();

    /** The whole JSON body for {@code texts} with the default model, given as queries or documents. */
    abstract ObjectNode expectedBody(List<String> texts, Encoder.Input input);

    /** The texts per request the factory configures: the provider's documented maximum, or less. */
    abstract int batchLimit();

    /** Whether a text's vector depends on its Input: true exactly when the request for queries differs. */
    abstract boolean asymmetric();

    abstract String defaultModel();

    /** The dimension documented for the default model. */
    abstract int defaultDimension();

    /** semantic-router's default score_threshold for this encoder. */
    abstract double defaultThreshold();

    abstract String type();

    /** A success response copied from the provider's documentation, for two texts. */
    abstract String documentedResponse();

    /** The vectors of {@link #documentedResponse()}, in text order, before normalization. */
    abstract float[][] documentedVectors();

    /** An error body in the provider's shape for a bad request, whose message quotes {@code quoted}. */
    abstract String errorBody(String quoted);

    /** The message {@link #errorBody} carries, with {@code quoted} in it. */
    abstract String errorMessage(String quoted);

    // ---- fixture ----

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        encoders.forEach(HttpEncoder::close);
        server.close();
    }

    /** Spelled with the address, not {@code server.url()}'s "localhost", so nothing depends on name resolution. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    <E extends HttpEncoder> E track(E encoder) {
        encoders.add(encoder);
        return encoder;
    }

    /** The mock server, the test key, short timeouts, 3 retries, the documented batch limit, the recording sleeper. */
    HttpEncoder encoder() {
        return encoder(mockBaseUrl(), KEY);
    }

    HttpEncoder encoder(String url, String key) {
        return track(withSleeper(new HttpEncoder.Config(url, key, defaultModel(), batchLimit(), Duration.ofSeconds(2),
                Duration.ofSeconds(5), 3, Duration.ofMillis(100)), sleeps::add));
    }

    /** An environment with the key in its first variable, plus {@link #ownServiceEnv()}. */
    Map<String, String> envWithKey() {
        Map<String, String> env = new HashMap<>(ownServiceEnv());
        env.put(keyVariable(), KEY);
        return env;
    }

    static MockResponse ok(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    static JsonNode json(RecordedRequest r) throws Exception {
        return MAPPER.readTree(r.getBody().utf8());
    }

    static List<String> inputs(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.path("input").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** An OpenAI-shaped response (the shape all five providers answer with) of the given vectors, in index order. */
    static String embeddings(float[]... vectors) {
        ObjectNode root = MAPPER.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int i = 0; i < vectors.length; i++) {
            ArrayNode e = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
            for (float x : vectors[i]) {
                e.add(x);
            }
        }
        root.put("model", "m").putObject("usage").put("prompt_tokens", 1).put("total_tokens", 1);
        return root.toString();
    }

    /** A distinct, not normalized vector for the text {@code t<n>}. */
    static float[] vectorFor(String text) {
        return new float[] {Integer.parseInt(text.substring(1)) + 1, 2, 0};
    }

    /** Answers every request with one {@link #vectorFor} vector per input text, so batches can be checked in order. */
    static Dispatcher echoVectors() {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    return ok(embeddings(inputs(json(request)).stream().map(HttpProviderContract::vectorFor).toArray(float[][]::new)));
                } catch (Exception e) {
                    return status(500, "{\"error\":{\"message\":\"test dispatcher: " + e + "\"}}");
                }
            }
        };
    }

    static void assertUnit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        assertEquals(1.0, sum, 1e-5, "not unit length");
    }

    /** Fails if the key, or its distinctive middle, appears in the message, toString or stack trace of {@code e} or a cause. */
    static void assertNoKey(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(KEY), "key leaked in: " + trace);
        assertFalse(trace.toString().contains("SECRET"), "part of the key leaked in: " + trace);
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
        server.enqueue(ok(embeddings(new float[] {1, 0}, new float[] {0, 1})));
        List<String> texts = List.of("book a flight to Paris", "what's the weather?");

        encoder().encode(texts, input);

        RecordedRequest r = server.takeRequest();
        assertEquals("POST", r.getMethod());
        assertEquals(expectedPath(), r.getUrl().encodedPath());
        assertEquals(expectedQuery(), r.getUrl().encodedQuery());
        Map.Entry<String, String> auth = expectedAuthHeader();
        assertEquals(auth.getValue(), r.getHeaders().get(auth.getKey()), auth.getKey() + " header");
        for (String other : List.of("Authorization", "api-key", "x-api-key")) {
            if (!other.equalsIgnoreCase(auth.getKey())) {
                assertNull(r.getHeaders().get(other), "the key goes only in " + auth.getKey() + ", yet " + other + " was sent");
            }
        }
        assertTrue(String.valueOf(r.getHeaders().get("Content-Type")).startsWith("application/json"), r.getHeaders().toString());
        assertEquals(expectedBody(texts, input), json(r), "request body for " + input);
    }

    @Test
    void asymmetricExactlyWhenQueriesAreSentDifferently() throws Exception {
        HttpEncoder enc = encoder();
        assertEquals(asymmetric(), enc.asymmetric());
        server.enqueue(ok(embeddings(new float[] {1, 0})));
        server.enqueue(ok(embeddings(new float[] {1, 0})));

        enc.encode(List.of("hello"), Encoder.Input.QUERY);
        enc.encode(List.of("hello"), Encoder.Input.DOCUMENT);

        JsonNode query = json(server.takeRequest());
        JsonNode document = json(server.takeRequest());
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
            assertArrayEquals(Encoder.normalize(expected[i].clone()), out.get(i), 1e-6f, "vector " + i);
            assertUnit(out.get(i));
        }
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void ordersVectorsByIndexNotByPosition() {
        server.enqueue(ok("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":1,\"embedding\":[0,3]},"
                + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[4,0]}]}"));

        List<float[]> out = encoder().encode(List.of("a", "b"), Encoder.Input.DOCUMENT);

        assertArrayEquals(new float[] {1, 0}, out.get(0), 1e-6f);
        assertArrayEquals(new float[] {0, 1}, out.get(1), 1e-6f);
    }

    @Test
    void factorySplitsMoreThanTheDocumentedLimitIntoBatches() throws Exception {
        int n = batchLimit() + 1;
        List<String> texts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            texts.add("t" + i);
        }
        server.setDispatcher(echoVectors());
        HttpEncoder enc = track(create(null, mockBaseUrl(), envWithKey()));

        List<float[]> out = enc.encode(texts, Encoder.Input.DOCUMENT);

        assertEquals(2, server.getRequestCount(), "requests for " + n + " texts with a limit of " + batchLimit());
        assertEquals(texts.subList(0, batchLimit()), inputs(json(server.takeRequest())));
        assertEquals(texts.subList(batchLimit(), n), inputs(json(server.takeRequest())));
        assertEquals(n, out.size());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(Encoder.normalize(vectorFor("t" + i)), out.get(i), 1e-6f, "vector " + i);
        }
    }

    @Test
    void factoryDefaults() {
        HttpEncoder enc = track(create(null, null, envWithKey()));
        assertEquals(type(), enc.type());
        assertEquals(defaultModel(), enc.model());
        assertEquals(type() + ":" + defaultModel(), enc.name());
        assertEquals(defaultDimension(), enc.dimension());
        assertEquals(defaultThreshold(), enc.defaultThreshold());
        assertEquals(asymmetric(), enc.asymmetric());
        assertEquals("other-model", track(create("other-model", null, envWithKey())).model());
    }

    @Test
    void missingKeyForTheProvidersOwnServiceNamesTheVariableAndSendsNothing() {
        HttpEncoder enc = track(create(null, null, ownServiceEnv()));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith(keyVariable() + " "), e.getMessage());
        assertTrue(e.getMessage().contains("is not set"), e.getMessage());
        assertFalse(enc.clientCreated(), "no HTTP client for a request that cannot succeed");
        assertEquals(0, enc.requestCount());
    }

    @Test
    void proxyWithoutKeyIsCalledWithoutOne() throws Exception {
        server.enqueue(ok(embeddings(new float[] {1, 1})));
        Map<String, String> env = new HashMap<>(ownServiceEnv());

        track(create(null, mockBaseUrl(), env)).encode(List.of("x"), Encoder.Input.DOCUMENT);

        RecordedRequest r = server.takeRequest();
        assertNull(r.getHeaders().get(expectedAuthHeader().getKey()), "no key, no " + expectedAuthHeader().getKey());
    }

    @Test
    void rejectedKeyNamesTheVariableWithoutTheKey() {
        for (int code : new int[] {401, 403}) {
            server.enqueue(status(code, errorBody("invalid key " + KEY)));
            HttpEncoder enc = encoder();

            SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

            assertEquals(ExitCode.UNREACHABLE, e.exitCode());
            assertEquals("the encoder rejected the API key (HTTP " + code + " from " + enc.displayUrl() + "); check "
                    + keyVariable(), e.getMessage());
            assertNoKey(e);
            assertEquals(1, enc.requestCount(), "no retry on " + code);
        }
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void rateLimitIsRetriedAfterRetryAfterThenSucceeds() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "2").body(errorBody("rate limited")).build());
        server.enqueue(ok(embeddings(new float[] {3, 4})));
        HttpEncoder enc = encoder();

        List<float[]> out = enc.encode(List.of("x"), Encoder.Input.QUERY);

        assertArrayEquals(new float[] {0.6f, 0.8f}, out.get(0), 1e-6f);
        assertEquals(2, server.getRequestCount());
        assertEquals(List.of(2000L), sleeps);
    }

    @Test
    void providerErrorMessageIsShownWithTheKeyRemoved() {
        server.enqueue(status(400, errorBody("bad input near " + KEY)));
        HttpEncoder enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " refused the request (HTTP 400): "
                + errorMessage("bad input near ***"), e.getMessage());
        assertNoKey(e);
        assertEquals(1, server.getRequestCount(), "a 400 is not retried");
    }

    @Test
    void wrongNumberOfVectorsIsMalformed() {
        server.enqueue(ok(embeddings(new float[] {1, 0})));
        HttpEncoder enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("a", "b"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " returned a malformed response: 1 vectors for 2 texts",
                e.getMessage());
    }

    @Test
    void keyIsInNoNameCacheKeyOrString() {
        HttpEncoder enc = track(create(null, mockBaseUrl(), envWithKey()));
        for (String s : List.of(enc.name(), enc.cacheKey(), enc.toString(), enc.displayUrl())) {
            assertFalse(s.contains(KEY), s);
        }
        assertEquals(type() + ":" + defaultModel() + "@127.0.0.1:" + server.getPort()
                + mockBaseUrl().substring(url("").length()), enc.cacheKey());
    }
}
