package dev.srouter.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srouter.core.SrouterException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class CohereEncoderTest extends HttpEncoderContract<CohereEncoder> {

    /**
     * The response of the v2 Embed API for {@code "texts": ["hello", "goodbye"]} in the shape documented at
     * https://docs.cohere.com/reference/embed (response type {@code embeddings_by_type}); the id and the three-number
     * vectors are illustrative, not Cohere's.
     */
    private static final String DOCUMENTED_RESPONSE = """
            {
              "id": "da6e531f-54c6-4a73-bf92-f60566d8d753",
              "embeddings": {
                "float": [
                  [0.016296387, -0.008354187, -0.04699707],
                  [-0.0011987686, 0.024368286, 0.0066604614]
                ]
              },
              "texts": ["hello", "goodbye"],
              "meta": {
                "api_version": {"version": "2"},
                "billed_units": {"input_tokens": 2}
              },
              "response_type": "embeddings_by_type"
            }""";

    @Override
    protected CohereEncoder create(String model, String url, Map<String, String> env, LongConsumer sleeper) {
        return CohereEncoder.create(model, url, env, sleeper);
    }

    @Override
    protected String basePath() {
        return "";
    }

    @Override
    protected int batchLimit() {
        return 96;
    }

    @Override
    protected String keyVariable() {
        return "COHERE_API_KEY";
    }

    @Override
    protected boolean requiresKey() {
        return true;
    }

    @Override
    protected String responseBody(List<float[]> vectors) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", "test");
        ArrayNode floats = root.putObject("embeddings").putArray("float");
        vectors.forEach(v -> {
            ArrayNode a = floats.addArray();
            for (float x : v) {
                a.add(x);
            }
        });
        root.putObject("meta").putObject("api_version").put("version", "2");
        root.put("response_type", "embeddings_by_type");
        return root.toString();
    }

    @Override
    protected List<String> textsSent(JsonNode body) {
        return MAPPER.convertValue(body.get("texts"), List.class);
    }

    /** Cohere's errors carry {@code message}, e.g. {@code {"id":"...","message":"invalid api token"}}. */
    @Override
    protected String errorBody(String message) {
        return MAPPER.createObjectNode().put("id", "e1").put("message", message).toString();
    }

    @Test
    void documentsAreSentAsSearchDocument() throws Exception {
        server.enqueue(ok(DOCUMENTED_RESPONSE));

        encoder().encode(List.of("hello", "goodbye"), Encoder.Input.DOCUMENT);

        RecordedRequest r = take();
        assertEquals("POST", r.getMethod());
        assertEquals("/v2/embed", r.getUrl().encodedPath());
        assertEquals("Bearer " + KEY, r.getHeaders().get("Authorization"));
        assertEquals(MAPPER.readTree("""
                {"model": "embed-english-v3.0", "texts": ["hello", "goodbye"],
                 "input_type": "search_document", "embedding_types": ["float"]}"""), json(r));
    }

    @Test
    void queriesAreSentAsSearchQuery() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));

        encoder().encode(List.of("what's the weather?"), Encoder.Input.QUERY);

        assertEquals("search_query", json(take()).get("input_type").asText());
    }

    @Test
    void theDocumentedResponseGivesUnitVectorsInOrder() {
        server.enqueue(ok(DOCUMENTED_RESPONSE));

        List<float[]> out = encoder().encode(List.of("hello", "goodbye"), Encoder.Input.DOCUMENT);

        assertEquals(2, out.size());
        assertArrayEquals(Encoder.normalize(new float[] {0.016296387f, -0.008354187f, -0.04699707f}), out.get(0), 1e-6f);
        assertArrayEquals(Encoder.normalize(new float[] {-0.0011987686f, 0.024368286f, 0.0066604614f}), out.get(1), 1e-6f);
        out.forEach(HttpEncoderContract::assertUnit);
    }

    @Test
    void aResponseWithoutFloatEmbeddingsIsMalformed() {
        server.enqueue(ok("{\"id\":\"x\",\"embeddings\":{\"int8\":[[1,2]]},\"response_type\":\"embeddings_by_type\"}"));
        SrouterException e = assertThrows(SrouterException.class, () -> encoder().encode(List.of("a"), Encoder.Input.QUERY));
        assertTrue(e.getMessage().endsWith("malformed response: no \"embeddings.float\" array"), e.getMessage());
    }

    @Test
    void isAsymmetric() {
        assertTrue(encoder().asymmetric());
    }

    @Test
    void defaultsAreSemanticRoutersAndCoheresDocumentedOnes() {
        CohereEncoder enc = CohereEncoder.create(null, null, Map.of());
        assertEquals("cohere", enc.type());
        assertEquals("embed-english-v3.0", enc.model());
        assertEquals(1024, enc.dimension());
        assertEquals(0.3, enc.defaultThreshold());
        assertEquals("https://api.cohere.com", enc.displayUrl());
        assertEquals(384, CohereEncoder.create("embed-english-light-v3.0", null, Map.of()).dimension());
        assertEquals("embed-multilingual-v3.0", CohereEncoder.create("cohere/embed-multilingual-v3.0", null, Map.of()).model());
    }

    @Test
    void theSdksCoApiKeyIsUsedWhenCohereApiKeyIsNotSetAndNamedWhenRejected() throws Exception {
        server.enqueue(status(401, errorBody("invalid api token")));
        CohereEncoder enc = encoder(null, baseUrl(), env("CO_API_KEY", KEY));

        SrouterException e = assertThrows(SrouterException.class, () -> enc.encode(List.of("x"), Encoder.Input.QUERY));

        assertEquals("Bearer " + KEY, take().getHeaders().get("Authorization"));
        assertTrue(e.getMessage().endsWith("; check CO_API_KEY"), e.getMessage());
    }

    @Test
    void cohereApiKeyComesBeforeCoApiKey() throws Exception {
        server.enqueue(ok(responseBody(List.of(new float[] {1, 0}))));
        encoder(null, baseUrl(), env("COHERE_API_KEY", "first", "CO_API_KEY", "second")).encode(List.of("x"), Encoder.Input.QUERY);
        assertEquals("Bearer first", take().getHeaders().get("Authorization"));
    }
}
