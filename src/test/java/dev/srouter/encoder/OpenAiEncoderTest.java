package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * OpenAI and the servers that copy its protocol: {@link HttpEncoderContract}, which every HTTP provider passes, and the
 * transport's behaviour in detail (backoff, timeouts, unreachable hosts, concurrency), shown here once for all of them.
 */
class OpenAiEncoderTest extends HttpEncoderContract<OpenAiEncoder> {

    // ---- OpenAI for the contract ----

    /** Through {@link Encoders}, which builds OpenAI's encoder for the CLI. */
    @Override
    OpenAiEncoder create(String model, String url, Map<String, String> env) {
        return (OpenAiEncoder) Encoders.create(model == null ? "openai" : "openai:" + model, null, url, env);
    }

    /** The factory takes no sleeper: its encoder rebuilt with one. */
    @Override
    OpenAiEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return new OpenAiEncoder(create(model, url, env).config, sleeper);
    }

    @Override
    String type() {
        return "openai";
    }

    @Override
    String defaultModel() {
        return "text-embedding-3-small";
    }

    @Override
    int defaultDimension() {
        return 1536;
    }

    @Override
    double defaultThreshold() {
        return 0.3;
    }

    @Override
    String defaultUrl() {
        return "https://api.openai.com/v1";
    }

    /** What Encoders configures, below the 2048 inputs OpenAI accepts. */
    @Override
    int batchLimit() {
        return 512;
    }

    @Override
    boolean asymmetric() {
        return false;
    }

    @Override
    String keyVariable() {
        return "OPENAI_API_KEY";
    }

    @Override
    String missingKeyMessage() {
        return "OPENAI_API_KEY is not set: set it to use OpenAI, or point --encoder-url (or OPENAI_BASE_URL) at a local "
                + "OpenAI-compatible server, which needs no key, e.g. Ollama: --encoder openai:nomic-embed-text "
                + "--encoder-url http://localhost:11434/v1";
    }

    @Override
    JsonNode expectedBody(List<String> texts, Encoder.Input input) {
        return openAiRequest("text-embedding-3-small", texts);
    }

    /** The shape of the example at https://platform.openai.com/docs/api-reference/embeddings/create; illustrative values. */
    @Override
    String documentedResponse() {
        return """
                {"object":"list","data":[
                {"object":"embedding","embedding":[0.0023064255,-0.009327292,-0.0028842222],"index":0},
                {"object":"embedding","embedding":[-0.0052035292,0.014513558,0.009935051],"index":1}],
                "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""";
    }

    @Override
    float[][] documentedVectors() {
        return new float[][] {{0.0023064255f, -0.009327292f, -0.0028842222f}, {-0.0052035292f, 0.014513558f, 0.009935051f}};
    }

    /** OpenAI's error shape, e.g. {@code "'$.input' is invalid: ..."} with {@code invalid_request_error}. */
    @Override
    String errorBody(String message) {
        ObjectNode root = MAPPER.createObjectNode();
        root.putObject("error").put("message", message).put("type", "invalid_request_error").putNull("code");
        return root.toString();
    }

    // ---- helpers for the transport's tests: the constructor, short timeouts and a 100 ms initial backoff ----

    private OpenAiEncoder configured(String key, String model, int batchSize, int maxRetries, Duration readTimeout) {
        return configured(baseUrl(), key, model, batchSize, maxRetries, readTimeout);
    }

    private OpenAiEncoder configured(String url, String key, String model, int batchSize, int maxRetries, Duration readTimeout) {
        HttpEncoder.Config config = new HttpEncoder.Config(url, key, model, batchSize, Duration.ofSeconds(2), readTimeout,
                maxRetries, Duration.ofMillis(100));
        return track(new OpenAiEncoder(config, sleeps::add));
    }

    /** The test key, the default model, 512 texts per request, 3 retries, a 5 s read timeout. */
    private OpenAiEncoder configured() {
        return configured(KEY, "text-embedding-3-small", 512, 3, Duration.ofSeconds(5));
    }

    /** {"data":[...]} with one item per vector, items listed in the given order of indexes. */
    private static String embeddingsInOrder(float[][] vectors, int... order) {
        StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int n = 0; n < order.length; n++) {
            int i = order[n];
            sb.append(n == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":[");
            for (int k = 0; k < vectors[i].length; k++) {
                sb.append(k == 0 ? "" : ",").append(vectors[i][k]);
            }
            sb.append("]}");
        }
        return sb.append("],\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}").toString();
    }

    private static String embeddingsFor(List<String> inputs, int offset) {
        float[][] v = new float[inputs.size()][];
        int[] order = new int[inputs.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = vectorFor(offset + i);
            order[i] = i;
        }
        return embeddingsInOrder(v, order);
    }

    /** A distinct, not normalized vector per number. */
    private static float[] vectorFor(int n) {
        return new float[] {n + 1, 2, 0};
    }

    @Test
    void encodesNormalizesAndOrdersByIndex() throws Exception {
        float[][] v = {{3, 4}, {0, 5}, {1, 0}};
        server.enqueue(ok(embeddingsInOrder(v, 2, 0, 1)));
        OpenAiEncoder enc = configured();

        List<float[]> out = enc.encode(List.of("a", "b", "c"), Encoder.Input.DOCUMENT);

        assertEquals(3, out.size());
        assertArrayEquals(new float[] {0.6f, 0.8f}, out.get(0), 1e-6f);
        assertArrayEquals(new float[] {0f, 1f}, out.get(1), 1e-6f);
        assertArrayEquals(new float[] {1f, 0f}, out.get(2), 1e-6f);
        out.forEach(HttpEncoderContract::assertUnit);

        RecordedRequest r = server.takeRequest();
        assertEquals("POST", r.getMethod());
        assertEquals("/v1/embeddings", r.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, r.getHeaders().get("Authorization"));
        JsonNode body = json(r);
        assertEquals("text-embedding-3-small", body.get("model").asText());
        assertEquals(List.of("a", "b", "c"), MAPPER.convertValue(body.get("input"), List.class));
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void sendsNoAuthorizationWithoutKeyAndAcceptsTrailingSlash() throws Exception {
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 1}}, 0)));
        OpenAiEncoder enc = configured(url("/v1/"), null, "nomic-embed-text", 512, 0, Duration.ofSeconds(5));

        enc.encode(List.of("hello"), Encoder.Input.DOCUMENT);

        RecordedRequest r = server.takeRequest();
        assertEquals("/v1/embeddings", r.getUrl().encodedPath());
        assertNull(r.getHeaders().get("Authorization"));
    }

    @Test
    void blankKeyCountsAsNone() throws Exception {
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 1}}, 0)));
        configured("  ", "m", 512, 0, Duration.ofSeconds(5)).encode(List.of("hello"), Encoder.Input.DOCUMENT);
        assertNull(server.takeRequest().getHeaders().get("Authorization"));
    }

    @Test
    void splitsIntoBatchesAndKeepsOrder() throws Exception {
        List<String> texts = List.of("t0", "t1", "t2", "t3", "t4");
        server.enqueue(ok(embeddingsFor(texts.subList(0, 2), 0)));
        server.enqueue(ok(embeddingsFor(texts.subList(2, 4), 2)));
        server.enqueue(ok(embeddingsFor(texts.subList(4, 5), 4)));
        OpenAiEncoder enc = configured(KEY, "text-embedding-3-small", 2, 0, Duration.ofSeconds(5));

        List<float[]> out = enc.encode(texts, Encoder.Input.DOCUMENT);

        assertEquals(3, server.getRequestCount());
        assertEquals(List.of("t0", "t1"), MAPPER.convertValue(json(server.takeRequest()).get("input"), List.class));
        assertEquals(List.of("t2", "t3"), MAPPER.convertValue(json(server.takeRequest()).get("input"), List.class));
        assertEquals(List.of("t4"), MAPPER.convertValue(json(server.takeRequest()).get("input"), List.class));
        assertEquals(5, out.size());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(Encoder.normalize(vectorFor(i)), out.get(i), 1e-6f, "vector " + i);
        }
    }

    @Test
    void emptyInputSendsNothingAndBuildsNoClient() {
        OpenAiEncoder enc = configured();
        assertEquals(List.of(), enc.encode(List.of(), Encoder.Input.DOCUMENT));
        assertFalse(enc.clientCreated());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void clientIsBuiltLazilyAndCloseIsSafe() {
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 1}}, 0)));
        OpenAiEncoder enc = configured();
        assertFalse(enc.clientCreated());
        enc.encode(List.of("x"), Encoder.Input.DOCUMENT);
        assertTrue(enc.clientCreated());
        enc.close();
        assertFalse(enc.clientCreated());
        enc.close();
    }

    @Test
    void rejectedKeyIsExit4WithoutTheKey() {
        for (int code : new int[] {401, 403}) {
            server.enqueue(status(code, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                    + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                    + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
            int before = server.getRequestCount();
            OpenAiEncoder enc = configured();

            SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

            assertEquals(ExitCode.UNREACHABLE, e.exitCode());
            assertEquals("the encoder rejected the API key (HTTP " + code + " from " + enc.displayUrl()
                    + "); check OPENAI_API_KEY",
                    e.getMessage(), "the body (which quotes the key) is not shown");
            assertNoKey(e);
            assertEquals(before + 1, server.getRequestCount(), "no retry on " + code);
            assertTrue(sleeps.isEmpty());
        }
    }

    @Test
    void missingKeyForOpenAiItselfFailsBeforeAnyRequest() {
        OpenAiEncoder enc = configured(OpenAiEncoder.DEFAULT_BASE_URL, null, OpenAiEncoder.DEFAULT_MODEL, 512, 0,
                Duration.ofSeconds(5));
        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals(OpenAiEncoder.MISSING_KEY, e.getMessage());
        assertFalse(enc.clientCreated());
        assertEquals(0, enc.requestCount());
    }

    @Test
    void rateLimitThenSuccessHonoursRetryAfterSeconds() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "7")
                .body("{\"error\":{\"message\":\"Rate limit reached\"}}").build());
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 0}}, 0)));
        OpenAiEncoder enc = configured();

        List<float[]> out = enc.encode(List.of("x"), Encoder.Input.DOCUMENT);

        assertArrayEquals(new float[] {1, 0}, out.get(0));
        assertEquals(2, server.getRequestCount());
        assertEquals(List.of(7000L), sleeps);
    }

    @Test
    void retryAfterAsHttpDateAndCapped() {
        String inThirty = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", inThirty).build());
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3600").build());
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 0}}, 0)));

        configured().encode(List.of("x"), Encoder.Input.DOCUMENT);

        assertEquals(2, sleeps.size());
        assertTrue(sleeps.get(0) > 27_000 && sleeps.get(0) <= 30_000, "HTTP date gave " + sleeps.get(0));
        assertEquals(60_000L, sleeps.get(1));
    }

    @Test
    void rateLimitedUntilRetriesRunOut() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(status(429, "{\"error\":{\"message\":\"Rate limit reached for requests\"}}"));
        }
        OpenAiEncoder enc = configured(KEY, "m", 512, 2, Duration.ofSeconds(5));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("the encoder at " + enc.displayUrl()
                + " is rate limiting requests (HTTP 429) after 2 retries"), e.getMessage());
        assertEquals(3, server.getRequestCount());
        assertNoKey(e);
    }

    @Test
    void serverErrorUntilRetriesRunOut() {
        for (int i = 0; i < 4; i++) {
            server.enqueue(status(500, "{\"error\":{\"message\":\"The server had an error while processing your request.\"}}"));
        }
        OpenAiEncoder enc = configured(KEY, "m", 512, 3, Duration.ofSeconds(5));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " failed with HTTP 500 after 3 retries: "
                + "The server had an error while processing your request.", e.getMessage());
        assertEquals(4, server.getRequestCount());
        assertEquals(4, enc.requestCount());
        assertEquals(3, sleeps.size());
        for (int i = 0; i < sleeps.size(); i++) {
            long bound = 100L << i;
            assertTrue(sleeps.get(i) >= 0 && sleeps.get(i) <= bound, "backoff " + i + " was " + sleeps.get(i));
        }
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndIsCapped() {
        OpenAiEncoder enc = configured();
        long maxSeen0 = 0;
        long maxSeen3 = 0;
        Set<Long> distinct3 = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            long b0 = enc.backoffMillis(0);
            long b3 = enc.backoffMillis(3);
            long b20 = enc.backoffMillis(20);
            assertTrue(b0 >= 0 && b0 <= 100);
            assertTrue(b3 >= 0 && b3 <= 800);
            assertTrue(b20 >= 0 && b20 <= HttpEncoder.MAX_BACKOFF_MILLIS);
            maxSeen0 = Math.max(maxSeen0, b0);
            maxSeen3 = Math.max(maxSeen3, b3);
            distinct3.add(b3);
        }
        assertTrue(distinct3.size() > 100, "full jitter spreads waits over [0, bound], got " + distinct3.size() + " values");
        assertTrue(maxSeen3 > 100, "attempt 3 should be able to wait longer than attempt 0");
        assertTrue(maxSeen0 > 0, "jitter, not a constant 0");
    }

    @Test
    void serverErrorThenSuccess() {
        server.enqueue(status(502, "<html>Bad gateway</html>"));
        server.enqueue(ok(embeddingsInOrder(new float[][] {{0, 2}}, 0)));
        OpenAiEncoder enc = configured();

        List<float[]> out = enc.encode(List.of("x"), Encoder.Input.DOCUMENT);

        assertArrayEquals(new float[] {0, 1}, out.get(0));
        assertEquals(2, server.getRequestCount());
        assertEquals(1, sleeps.size());
    }

    @Test
    void timeoutIsRetriedThenExit4() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().code(200).body(embeddingsInOrder(new float[][] {{1}}, 0))
                    .headersDelay(2, TimeUnit.SECONDS).build());
        }
        OpenAiEncoder enc = configured(KEY, "m", 512, 2, Duration.ofMillis(200));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("the encoder at " + enc.displayUrl() + " did not answer within 0.2s after 2 retries", e.getMessage());
        assertEquals(3, enc.requestCount());
        assertEquals(2, sleeps.size());
        assertNoKey(e);
    }

    @Test
    void slowBodyThenSuccess() {
        server.enqueue(new MockResponse.Builder().code(200).body(embeddingsInOrder(new float[][] {{1}}, 0))
                .bodyDelay(2, TimeUnit.SECONDS).build());
        server.enqueue(ok(embeddingsInOrder(new float[][] {{4, 3}}, 0)));
        OpenAiEncoder enc = configured(KEY, "m", 512, 2, Duration.ofMillis(200));

        List<float[]> out = enc.encode(List.of("x"), Encoder.Input.DOCUMENT);

        assertArrayEquals(new float[] {0.8f, 0.6f}, out.get(0), 1e-6f);
        assertEquals(2, enc.requestCount());
    }

    @Test
    void clientErrorIsExit1WithServerMessageAndNoRetry() {
        server.enqueue(status(404, "{\"error\":{\"message\":\"The model `text-embedding-4` does not exist\","
                + "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}"));
        OpenAiEncoder enc = configured();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().endsWith("The model `text-embedding-4` does not exist"), e.getMessage());
        assertEquals(1, server.getRequestCount());
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void ollamaStyleErrorStringIsShown() {
        server.enqueue(status(400, "{\"error\":\"model \\\"nope\\\" not found, try pulling it first\"}"));
        SrouterException e = assertThrows(SrouterException.class, () -> configured().encode(List.of("x"), Encoder.Input.DOCUMENT));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().endsWith("model \"nope\" not found, try pulling it first"), e.getMessage());
    }

    @Test
    void notJsonIsMalformedExit1WithoutRetry() {
        server.enqueue(new MockResponse.Builder().code(200).body("<html>hello</html>").build());
        OpenAiEncoder enc = configured();

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().startsWith("the encoder at " + enc.displayUrl() + " returned a malformed response: "),
                e.getMessage());
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void malformedShapes() {
        String[] bodies = {
            "{\"object\":\"list\"}",
            "{\"data\":[{\"index\":0,\"embedding\":[1,\"x\"]}]}",
            "{\"data\":[{\"index\":0}]}",
            "{\"data\":[{\"index\":5,\"embedding\":[1,2]}]}",
        };
        for (String body : bodies) {
            server.enqueue(ok(body));
            SrouterException e = assertThrows(SrouterException.class, () -> configured().encode(List.of("x"), Encoder.Input.DOCUMENT), body);
            assertEquals(ExitCode.FAILURE, e.exitCode(), body);
            assertTrue(e.getMessage().contains("malformed response"), e.getMessage());
        }
    }

    @Test
    void wrongVectorCountIsExit1() {
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 0}, {0, 1}}, 0, 1)));
        SrouterException e = assertThrows(SrouterException.class, () -> configured().encode(List.of("a", "b", "c"), Encoder.Input.DOCUMENT));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("malformed response: 2 vectors for 3 texts"), e.getMessage());
    }

    @Test
    void mixedDimensionsAreMalformed() {
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 0}, {0, 1, 0}}, 0, 1)));
        SrouterException e = assertThrows(SrouterException.class, () -> configured().encode(List.of("a", "b"), Encoder.Input.DOCUMENT));
        assertEquals(ExitCode.FAILURE, e.exitCode());
        assertTrue(e.getMessage().contains("different dimensions"), e.getMessage());
    }

    @Test
    void duplicateIndexIsMalformed() {
        server.enqueue(ok("{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":0,\"embedding\":[2]}]}"));
        SrouterException e = assertThrows(SrouterException.class, () -> configured().encode(List.of("a", "b"), Encoder.Input.DOCUMENT));
        assertTrue(e.getMessage().contains("malformed response"), e.getMessage());
    }

    @Test
    void unreachablePortIsExit4NamingTheUrl() throws Exception {
        MockWebServer gone = new MockWebServer();
        gone.start(InetAddress.getByName("127.0.0.1"), 0);
        String url = "http://127.0.0.1:" + gone.getPort() + "/v1";
        gone.close();
        OpenAiEncoder enc = configured(url, KEY, "m", 512, 3, Duration.ofSeconds(5));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.DOCUMENT));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("cannot reach the encoder at http://127.0.0.1:" + gone.getPort() + "/v1: connection refused",
                e.getMessage());
        assertTrue(sleeps.isEmpty(), "a refused connection fails at once");
        assertNoKey(e);
    }

    @Test
    void dimensionIsKnownForOpenAiModelsAndLearnedOtherwise() {
        assertEquals(1536, configured(KEY, "text-embedding-3-small", 512, 0, Duration.ofSeconds(5)).dimension());
        assertEquals(1536, configured(KEY, "text-embedding-ada-002", 512, 0, Duration.ofSeconds(5)).dimension());
        assertEquals(3072, configured(KEY, "text-embedding-3-large", 512, 0, Duration.ofSeconds(5)).dimension());

        OpenAiEncoder enc = configured(null, "nomic-embed-text", 512, 0, Duration.ofSeconds(5));
        assertEquals(-1, enc.dimension());
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 2, 3, 4, 5}}, 0)));
        enc.encode(List.of("x"), Encoder.Input.DOCUMENT);
        assertEquals(5, enc.dimension());
    }

    @Test
    void laterResponseWithOtherDimensionIsMalformed() {
        OpenAiEncoder enc = configured(null, "nomic-embed-text", 512, 0, Duration.ofSeconds(5));
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 2, 3}}, 0)));
        server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 2}}, 0)));
        enc.encode(List.of("x"), Encoder.Input.DOCUMENT);
        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("y"), Encoder.Input.DOCUMENT));
        assertTrue(e.getMessage().contains("different dimensions (3 and 2)"), e.getMessage());
    }

    @Test
    void cacheKeyNamesModelAndServerButNeverTheKey() {
        OpenAiEncoder local = configured(KEY, "nomic-embed-text", 512, 0, Duration.ofSeconds(5));
        assertEquals("openai:nomic-embed-text@127.0.0.1:" + server.getPort() + "/v1", local.cacheKey());
        assertFalse(local.cacheKey().contains(KEY));

        OpenAiEncoder slash = configured(url("/v1/"), KEY, "nomic-embed-text", 512, 0, Duration.ofSeconds(5));
        assertEquals(local.cacheKey(), slash.cacheKey());

        OpenAiEncoder openai = configured(OpenAiEncoder.DEFAULT_BASE_URL, KEY, OpenAiEncoder.DEFAULT_MODEL, 512, 0,
                Duration.ofSeconds(5));
        assertEquals("openai:text-embedding-3-small@api.openai.com/v1", openai.cacheKey());
        assertFalse(openai.cacheKey().contains(KEY));
        assertFalse(openai.toString().contains(KEY));

        HttpEncoder.Config config = HttpEncoder.Config.defaults(OpenAiEncoder.DEFAULT_BASE_URL, KEY, "m");
        assertFalse(config.toString().contains(KEY));
        assertEquals(0.3, openai.defaultThreshold());
        assertEquals("openai", openai.type());
    }

    @Test
    void invalidBaseUrlIsAUsageError() {
        SrouterException e = assertThrows(SrouterException.class,
                () -> new OpenAiEncoder(HttpEncoder.Config.defaults("localhost:11434", null, "m")));
        assertEquals(ExitCode.USAGE, e.exitCode());
    }

    @Test
    void concurrentCallsShareOneClient() throws Exception {
        int threads = 8;
        for (int i = 0; i < threads; i++) {
            server.enqueue(ok(embeddingsInOrder(new float[][] {{1, 1}}, 0)));
        }
        OpenAiEncoder enc = configured();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    assertUnit(enc.encode(List.of("x"), Encoder.Input.DOCUMENT).get(0));
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            t.start();
            started.add(t);
        }
        for (Thread t : started) {
            t.join(10_000);
        }
        assertEquals(List.of(), failures);
        assertEquals(threads, server.getRequestCount());
    }
}
