package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.ExitCode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class GoogleEncoderTest extends HttpEncoderContract<GoogleEncoder> {

    /**
     * A {@code batchEmbedContents} response in the shape documented at https://ai.google.dev/api/embeddings
     * ({@code BatchEmbedContentsResponse}: {@code embeddings[]} of {@code ContentEmbedding} with {@code values}, "in the
     * same order as provided in the batch request"); the numbers are illustrative and shortened to three.
     */
    private static final String DOCUMENTED_RESPONSE = """
            {
              "embeddings": [
                {"values": [0.013168523, -0.008711934, -0.046782676]},
                {"values": [-0.024563482, 0.0069955, 0.031232]}
              ]
            }""";

    /** The Gemini API's answer to a wrong key, as it sends it: HTTP 400, reason API_KEY_INVALID. */
    private static final String INVALID_KEY = """
            {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
              "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                           "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]}}""";

    @Override
    protected GoogleEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return GoogleEncoder.create(model, url, env, sleeper);
    }

    @Override
    protected String basePath() {
        return "/v1beta";
    }

    @Override
    protected int batchLimit() {
        return 100;
    }

    @Override
    protected String keyVariable() {
        return "GOOGLE_API_KEY";
    }

    @Override
    protected boolean requiresKey() {
        return true;
    }

    @Override
    protected String responseBody(List<float[]> vectors) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode embeddings = root.putArray("embeddings");
        vectors.forEach(v -> {
            ArrayNode values = embeddings.addObject().putArray("values");
            for (float x : v) {
                values.add(x);
            }
        });
        return root.toString();
    }

    @Override
    protected List<String> textsSent(JsonNode body) {
        return body.get("requests").findValues("text").stream().map(JsonNode::asText).toList();
    }

    /** Google's error shape: {@code {"error": {"code", "message", "status"}}}. */
    @Override
    protected String errorBody(String message) {
        ObjectNode root = MAPPER.createObjectNode();
        root.putObject("error").put("code", 400).put("message", message).put("status", "INVALID_ARGUMENT");
        return root.toString();
    }

    @Test
    void sendsOneRequestPerTextToTheModelsBatchEndpointWithTheKeyInAHeader() throws Exception {
        server.enqueue(ok(DOCUMENTED_RESPONSE));

        encoder().encode(List.of("What is the meaning of life?", "How does the brain work?"), Encoder.Input.DOCUMENT);

        RecordedRequest r = take();
        assertEquals("POST", r.getMethod());
        assertEquals("/v1beta/models/gemini-embedding-001:batchEmbedContents", r.getTarget(), "no ?key=, colon not escaped");
        assertEquals(KEY, r.getHeaders().get("x-goog-api-key"));
        assertNull(r.getHeaders().get("Authorization"));
        assertEquals(MAPPER.readTree("""
                {"requests": [
                  {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "What is the meaning of life?"}]}},
                  {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "How does the brain work?"}]}}
                ]}"""), json(r));
    }

    @Test
    void queriesAndDocumentsAreSentAlikeWithoutTaskType() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        GoogleEncoder enc = encoder();

        enc.encode(List.of("x"), Encoder.Input.QUERY);
        enc.encode(List.of("x"), Encoder.Input.DOCUMENT);

        JsonNode query = json(take());
        assertEquals(query, json(take()));
        assertTrue(query.findValues("taskType").isEmpty(), query.toString());
        assertFalse(enc.asymmetric());
    }

    @Test
    void theDocumentedResponseGivesUnitVectorsInOrder() {
        server.enqueue(ok(DOCUMENTED_RESPONSE));

        List<float[]> out = encoder().encode(List.of("a", "b"), Encoder.Input.DOCUMENT);

        assertArrayEquals(Encoder.normalize(new float[] {0.013168523f, -0.008711934f, -0.046782676f}), out.get(0), 1e-6f);
        assertArrayEquals(Encoder.normalize(new float[] {-0.024563482f, 0.0069955f, 0.031232f}), out.get(1), 1e-6f);
        out.forEach(HttpEncoderContract::assertUnit);
    }

    @Test
    void anInvalidKeyIsAnsweredWith400AndStillNamesTheVariable() {
        server.enqueue(status(400, INVALID_KEY));
        GoogleEncoder enc = encoder(null, baseUrl(), env("GEMINI_API_KEY", KEY));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertEquals("the encoder rejected the API key (HTTP 400 from " + enc.displayUrl() + "); check GEMINI_API_KEY",
                e.getMessage());
        assertNoKey(e);
    }

    @Test
    void googleApiKeyTakesPrecedenceOverGeminiApiKey() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        encoder(null, baseUrl(), env("GEMINI_API_KEY", "second", "GOOGLE_API_KEY", "first")).encode(List.of("x"), Encoder.Input.QUERY);
        assertEquals("first", take().getHeaders().get("x-goog-api-key"));
    }

    @Test
    void theModelIsPartOfTheUrlAndMayBeGivenAsAResourceName() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        GoogleEncoder enc = encoder("models/text-embedding-004", baseUrl(), env("GOOGLE_API_KEY", KEY));
        assertEquals(768, enc.dimension());

        enc.encode(List.of("x"), Encoder.Input.QUERY);

        RecordedRequest r = take();
        assertEquals("/v1beta/models/text-embedding-004:batchEmbedContents", r.getTarget());
        assertEquals("models/text-embedding-004", json(r).get("requests").get(0).get("model").asText());
        assertEquals("text-embedding-004", enc.model());
    }

    @Test
    void semanticRoutersVertexDefaultIsRefusedWithTheReason() {
        SrouterException e = assertThrows(SrouterException.class,
                () -> GoogleEncoder.create("textembedding-gecko@003", null, Map.of()));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("Vertex AI") && e.getMessage().contains("google:gemini-embedding-001"), e.getMessage());
    }

    @Test
    void defaults() {
        GoogleEncoder enc = GoogleEncoder.create(null, null, Map.of());
        assertEquals("google", enc.type());
        assertEquals("gemini-embedding-001", enc.model());
        assertEquals(3072, enc.dimension());
        assertEquals(0.75, enc.defaultThreshold());
        assertEquals("https://generativelanguage.googleapis.com/v1beta", enc.displayUrl());
    }
}
