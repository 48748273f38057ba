package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
 * What every HTTP embedding provider must do, run against each one's own request and response shapes on a
 * MockWebServer: split at the documented batch limit and keep order, retry a 429 after its Retry-After, show the
 * provider's error message, name the key's variable (and never the key) when it is missing or rejected, and refuse a
 * response with the wrong number of vectors. Each provider's test class extends this and adds what is its own (the
 * exact request, the documented response, its environment variables).
 */
abstract class HttpEncoderContract<E extends HttpEncoder> {
    protected static final ObjectMapper MAPPER = new ObjectMapper();
    /** Distinctive, so that finding it anywhere in an error is certainly a leak. */
    protected static final String KEY = "test-key-SECRET-5e4d3c2b1a";

    protected MockWebServer server;
    /** What the encoders were asked to wait between attempts, in milliseconds. */
    protected final List<Long> sleeps = new CopyOnWriteArrayList<>();
    private final List<HttpEncoder> opened = new ArrayList<>();

    /** The encoder {@code create(model, url, env)} builds, waiting with {@code sleeper}. */
    protected abstract E create(String model, String url, Map<String, String> env, LongConsumer sleeper);

    /** The part of the provider's default URL after the host, e.g. {@code /v1beta}, or empty. */
    protected abstract String basePath();

    /** The documented maximum of texts per request, which the factory's encoder must use. */
    protected abstract int batchLimit();

    /** The variable the key is read from first, or null for a provider without one. */
    protected abstract String keyVariable();

    /** Whether the provider's own service is refused before sending when there is no key. */
    protected abstract boolean requiresKey();

    /** A successful response body in the provider's documented shape, one embedding per vector, in order. */
    protected abstract String responseBody(List<float[]> vectors);

    /** The texts a recorded request body asks to embed, in order. */
    protected abstract List<String> textsSent(JsonNode body);

    /** An error body in the provider's documented shape carrying {@code message}. */
    protected abstract String errorBody(String message);

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
    protected String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    /** The mock server in place of the provider's own. */
    protected String baseUrl() {
        return url(basePath());
    }

    /** The default model at the mock server, with the key in its first variable when the provider has one. */
    protected E encoder() {
        return encoder(null, baseUrl(), keyVariable() == null ? Map.of() : Map.of(keyVariable(), KEY));
    }

    protected E encoder(String model, String url, Map<String, String> env) {
        E e = create(model, url, env, sleeps::add);
        opened.add(e);
        return e;
    }

    protected static MockResponse ok(String body) {
        return status(200, body);
    }

    protected static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    protected RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertTrue(r != null, "expected a request");
        return r;
    }

    protected static JsonNode json(RecordedRequest r) throws Exception {
        return MAPPER.readTree(r.getBody().utf8());
    }

    /** A distinct vector per text, not of unit length, so that normalization and order both show. */
    protected static float[] vectorFor(String text) {
        return new float[] {text.hashCode() % 97 + 100, 3, -4};
    }

    protected static List<float[]> vectorsFor(List<String> texts) {
        return texts.stream().map(HttpEncoderContract::vectorFor).toList();
    }

    protected static List<String> texts(int n) {
        return IntStream.range(0, n).mapToObj(i -> "text " + i).toList();
    }

    protected static void assertUnit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        assertEquals(1.0, sum, 1e-5, "not unit length");
    }

    /** Fails if the key, or its distinctive part, appears in the message, toString or stack trace of e or a cause. */
    protected static void assertNoKey(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains("SECRET"), "key leaked in: " + trace);
    }

    /** Answers every request with one vector per text it sent, so that batches of any size can be checked. */
    protected void answerEachTextWithItsVector() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    return ok(responseBody(vectorsFor(textsSent(json(request)))));
                } catch (Exception e) {
                    return status(500, "{}");
                }
            }
        });
    }

    @Test
    void factoryUsesTheDocumentedBatchLimit() {
        assertEquals(batchLimit(), encoder().config.batchSize());
    }

    @Test
    void aBatchOverTheLimitIsSplitAndKeepsOrder() throws Exception {
        answerEachTextWithItsVector();
        List<String> texts = texts(2 * batchLimit() + 1);

        List<float[]> out = encoder().encode(texts, Encoder.Input.DOCUMENT);

        assertEquals(3, server.getRequestCount());
        List<String> sent = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> batch = textsSent(json(take()));
            sizes.add(batch.size());
            sent.addAll(batch);
        }
        assertEquals(List.of(batchLimit(), batchLimit(), 1), sizes);
        assertEquals(texts, sent);
        assertEquals(texts.size(), out.size());
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(Encoder.normalize(vectorFor(texts.get(i))), out.get(i), 1e-6f, "vector " + i);
            assertUnit(out.get(i));
        }
    }

    @Test
    void rateLimitIsRetriedAfterItsRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3")
                .addHeader("Content-Type", "application/json").body(errorBody("rate limit exceeded")).build());
        server.enqueue(ok(responseBody(List.of(new float[] {0, 5}))));

        List<float[]> out = encoder().encode(List.of("x"), Encoder.Input.QUERY);

        assertArrayEquals(new float[] {0, 1}, out.get(0), 1e-6f);
        assertEquals(2, server.getRequestCount());
        assertEquals(List.of(3000L), sleeps);
    }

    @Test
    void theProvidersErrorMessageIsShown() {
        server.enqueue(status(400, errorBody("invalid request: texts must not be empty")));
        E enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " refused the request (HTTP 400): "
                + "invalid request: texts must not be empty", e.getMessage());
        assertEquals(1, server.getRequestCount(), "a client error is not retried");
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
    void aRejectedKeyNamesItsVariableAndNotTheKey() {
        assumeTrue(keyVariable() != null, "no key");
        server.enqueue(status(401, errorBody("invalid api token " + KEY)));
        E enc = encoder();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("the encoder rejected the API key (HTTP 401 from " + enc.displayUrl() + "); check " + keyVariable(),
                e.getMessage());
        assertNoKey(e);
        assertEquals(1, server.getRequestCount(), "a rejected key is not retried");
    }

    @Test
    void aMissingKeyForTheProviderItselfFailsBeforeSending() {
        assumeTrue(requiresKey(), "the provider's own service needs no key");
        E enc = encoder(null, null, Map.of());

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("set " + keyVariable() + " "), e.getMessage());
        assertFalse(enc.clientCreated(), "nothing was sent");
        assertEquals(0, enc.requestCount());
    }

    @Test
    void withoutAKeyNoCredentialIsSent() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 1}))));
        E enc = encoder(null, baseUrl(), Map.of());

        enc.encode(List.of("x"), Encoder.Input.DOCUMENT);

        RecordedRequest r = take();
        assertNull(r.getHeaders().get("Authorization"));
        assertNull(r.getHeaders().get("x-goog-api-key"));
    }

    @Test
    void theKeyIsInNoNameCacheKeyOrToString() {
        assumeTrue(keyVariable() != null, "no key");
        E enc = encoder();
        for (String s : List.of(enc.name(), enc.cacheKey(), enc.toString(), enc.config.toString(), enc.displayUrl())) {
            assertFalse(s.contains("SECRET"), s);
        }
        assertEquals(enc.name() + "@127.0.0.1:" + server.getPort() + basePath(), enc.cacheKey());
    }

    /** The environment with {@code name=value} besides the given entries. */
    protected static Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }
}
